"""Trading statistics by type and month (the seed report's "1-10月 … 政府采购194宗 … 土地拍卖7宗 … 固定价比选225宗"
table): counts, budgets, transactions (成交/定标) and their amounts, savings against budget, average days from first
publication to the transaction, failed rounds (流标) and complaints (with 有效投诉). Every sale counts once
(`sale`): an auction — land or asset transfer — at its hammer price when the hammer falls (a contract signed
after it is the same sale); fixed-price selection and procurement at the standing contract's amount (the award's:
the fixed price, the winning bid) when the first contract was offered (the award notice). Savings are budget −
amount: for an auction, whose budget is its starting price, they are negative — the premium (溢价) the sale
fetched. A project counts in the month it was (last) published, in Asia/Shanghai time; a failed round in the month
it failed; a sale in the month it was made; a complaint in the month it was made."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from archive.charts import stacked_bars_drawing
from archive.pdf.document import RecordDocument
from core import clock
from core.money import format_yuan
from evaluation.models import Auction
from trading.models import Complaint, Contract, Project
from trading.models.projects import ProjectType, Status

SHANGHAI = ZoneInfo("Asia/Shanghai")
ZERO = Decimal("0.00")


@dataclass
class TypeRow:
    type: str
    label: str
    projects: int = 0
    budget: Decimal = ZERO
    awarded: int = 0
    awarded_budget: Decimal = ZERO
    awarded_amount: Decimal = ZERO
    failed_rounds: int = 0
    complaints: int = 0
    complaints_upheld: int = 0
    days: list[int] = field(default_factory=list)

    @property
    def savings(self) -> Decimal:
        return self.awarded_budget - self.awarded_amount

    @property
    def savings_rate(self) -> Decimal | None:
        """Savings as a percentage of the awarded projects' budgets, two places."""
        if not self.awarded_budget:
            return None
        return (self.savings * 100 / self.awarded_budget).quantize(Decimal("0.01"))

    @property
    def average_days(self) -> Decimal | None:
        if not self.days:
            return None
        return (Decimal(sum(self.days)) / len(self.days)).quantize(Decimal("0.1"))


@dataclass
class Statistics:
    year: int
    month: int | None
    months: list[int]
    rows: list[TypeRow]  # one per trading type, in ProjectType order
    total: TypeRow
    by_month: dict[int, dict[str, int]]  # month -> type -> projects published
    amounts_by_month: dict[int, Decimal]  # month -> awarded amount

    @property
    def period(self) -> str:
        if self.month:
            return _("%(year)s年%(month)s月") % {"year": self.year, "month": self.month}
        return _("%(year)s年%(first)s-%(last)s月") % {"year": self.year, "first": self.months[0], "last": self.months[-1]}


def parse_period(year: str | None, month: str | None) -> tuple[int, int | None]:
    """Year (by default the centre's current one) and optional month from request text; a bad value raises
    ValueError naming it."""
    try:
        parsed_year = int(year) if year not in (None, "") else timezone.localdate(clock.now()).year
    except ValueError:
        raise ValueError(f"year: “{str(year)[:20]}” is not a year") from None
    try:
        parsed_month = int(month) if month not in (None, "") else None
    except ValueError:
        raise ValueError(f"month: “{str(month)[:20]}” is not a month (1-12)") from None
    if parsed_month is not None and not 1 <= parsed_month <= 12:
        raise ValueError(f"month: {parsed_month} is not a month (1-12)")
    if not 2000 <= parsed_year <= 2100:
        raise ValueError(f"year: {parsed_year} is out of range (2000-2100)")
    return parsed_year, parsed_month


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    return moment.astimezone(SHANGHAI) if moment else None


def _in_period(moment: dt.datetime | None, year: int, month: int | None) -> bool:
    local = _local(moment)
    return local is not None and local.year == year and (month is None or local.month == month)


def trading_statistics(*, year: int, month: int | None = None) -> Statistics:
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"month must be 1-12, got {month}")
    rows = {t.value: TypeRow(t.value, str(t.label)) for t in ProjectType}
    by_month: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    amounts: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for project in Project.objects.exclude(status=Status.DRAFT):
        row = rows[project.type]
        if _in_period(project.published_at, year, month):
            row.projects += 1
            row.budget += project.budget
            by_month[_local(project.published_at).month][project.type] += 1
        _count_sale(project, row, year, month, amounts)
    _count_failed_rounds(rows, year, month)
    _count_complaints(rows, year, month)
    months = [month] if month else list(range(1, 13))
    total = TypeRow("total", _("合计"))
    for row in rows.values():
        for name in ("projects", "budget", "awarded", "awarded_budget", "awarded_amount", "failed_rounds",
                     "complaints", "complaints_upheld"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
        total.days += row.days
    return Statistics(year, month, months, list(rows.values()), total,
                      {m: dict(by_month[m]) for m in months}, {m: amounts[m] for m in months})


@dataclass(frozen=True)
class Sale:
    at: dt.datetime
    amount: Decimal


def sale(project: Project) -> Sale | None:
    """The project's transaction (成交), if it has one: the one rule of what a sale is, its moment and amount."""
    auction = (Auction.objects.filter(project=project, sold=True, hammered_at__isnull=False)
               .order_by("-round").first())
    if auction is not None:
        return Sale(auction.hammered_at, auction.hammer_price)
    contracts = list(project.contracts.order_by("offered_at", "id"))
    if not contracts:
        return None
    standing = next((c for c in contracts if c.state == Contract.State.SIGNED), None) or next(
        (c for c in reversed(contracts) if c.state != Contract.State.LAPSED), contracts[-1])
    return Sale(contracts[0].offered_at, standing.amount)


def _count_sale(project: Project, row: TypeRow, year: int, month: int | None, amounts: dict) -> None:
    made = sale(project)
    if made is None or not _in_period(made.at, year, month):
        return
    first_published = project.history.filter(published_at__isnull=False).aggregate(at=Min("published_at"))["at"]
    row.awarded += 1
    row.awarded_budget += project.budget
    row.awarded_amount += made.amount
    amounts[_local(made.at).month] += made.amount
    if first_published:
        row.days.append((_local(made.at).date() - _local(first_published).date()).days)


def complaint_cases() -> QuerySet[Complaint]:
    """投诉件数 counts cases: one per objection (质疑), which a complaint (投诉) about it continues (the same matter
    is not counted twice), in the month the objection was made. The one rule, here."""
    return Complaint.objects.filter(objection__isnull=True)


def upheld_complaints() -> Q:
    """有效投诉: a case decided in the complainant's favour — its objection answered as upheld (成立) by the agency,
    or its complaint upheld by the department. Withdrawn, rejected and refused cases are not."""
    return Q(outcome=Complaint.Outcome.UPHELD) | Q(escalations__outcome=Complaint.Outcome.UPHELD)


def _count_complaints(rows: dict[str, TypeRow], year: int, month: int | None) -> None:
    """Complaint cases by the type of their project, in the month they were made."""
    start, end = _bounds(year, month)
    counted = (complaint_cases().filter(created_at__gte=start, created_at__lt=end).values("project__type")
               .annotate(n=Count("id", distinct=True), upheld=Count("id", filter=upheld_complaints(), distinct=True)))
    for item in counted:
        rows[item["project__type"]].complaints += item["n"]
        rows[item["project__type"]].complaints_upheld += item["upheld"]


def _bounds(year: int, month: int | None) -> tuple[dt.datetime, dt.datetime]:
    """The period as [start, end) in Asia/Shanghai time."""
    if month is None:
        return dt.datetime(year, 1, 1, tzinfo=SHANGHAI), dt.datetime(year + 1, 1, 1, tzinfo=SHANGHAI)
    start = dt.datetime(year, month, 1, tzinfo=SHANGHAI)
    end = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=SHANGHAI)
    return start, end


def _count_failed_rounds(rows: dict[str, TypeRow], year: int, month: int | None) -> None:
    """One per (project, round) that reached 流标, counted in the month of its first failed history row."""
    failed = (Project.history.filter(status=Status.FAILED).values("id", "round", "type")
              .annotate(at=Min("history_date")))
    for item in failed:
        if _in_period(item["at"], year, month):
            rows[item["type"]].failed_rounds += 1


HEADERS = [gettext_lazy("交易类型"), gettext_lazy("项目数"), gettext_lazy("预算金额（元）"), gettext_lazy("成交数"),
           gettext_lazy("成交金额（元）"), gettext_lazy("节约资金（元）"), gettext_lazy("节约率"),
           gettext_lazy("平均发布至成交天数"), gettext_lazy("流标轮次"), gettext_lazy("投诉件数"),
           gettext_lazy("有效投诉")]


def table_rows(stats: Statistics) -> list[list[str]]:
    """The report's table as text cells, one line per trading type and a total line."""
    def cells(row: TypeRow) -> list[str]:
        rate, days = row.savings_rate, row.average_days
        return [row.label, str(row.projects), format_yuan(row.budget), str(row.awarded),
                format_yuan(row.awarded_amount), format_yuan(row.savings), "—" if rate is None else f"{rate}%",
                "—" if days is None else str(days), str(row.failed_rounds), str(row.complaints),
                str(row.complaints_upheld)]
    return [cells(row) for row in [*stats.rows, stats.total]]


def month_series(stats: Statistics) -> tuple[list[str], list[tuple[str, list[int]]]]:
    categories = [_("%(month)s月") % {"month": m} for m in stats.months]
    series = [(row.label, [stats.by_month[m].get(row.type, 0) for m in stats.months]) for row in stats.rows]
    return categories, series


def amount_series(stats: Statistics) -> list[tuple[str, list[Decimal]]]:
    return [(_("中标（中选）金额（万元）"), [stats.amounts_by_month[m] / 10000 for m in stats.months])]


def statistics_pdf(stats: Statistics, *, issued_at: dt.datetime, centre: str) -> bytes:
    """The statistics report on the records' A4 layout, with the month chart drawn by reportlab graphics."""
    doc = RecordDocument({"project": {"code": f"STAT-{stats.year}{stats.month or 0:02d}",
                                      "title": f"{stats.period}交易统计"},
                          "issued_at": issued_at, "centre": centre, "rows": table_rows(stats)},
                         title="公共资源交易统计报告")
    doc.heading("一、分类统计")
    doc.table(HEADERS, table_rows(stats), widths=[1.6, 0.7, 1.8, 0.7, 1.9, 1.7, 1.0, 1.0, 0.7, 0.7, 0.7],
              align="lrrrrrrrrrr")
    doc.heading("二、按月项目数")
    categories, series = month_series(stats)
    doc.story.append(stacked_bars_drawing(categories, series, title="各月发布项目数（按交易类型）", integer=True,
                                          font=doc.font.name, width=doc.width))
    doc.story.append(stacked_bars_drawing(categories, amount_series(stats), title="各月定标金额（万元）", font=doc.font.name,
                                          width=doc.width))
    return doc.to_bytes()
