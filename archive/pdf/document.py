"""A4 layout shared by every PDF record: title block, facts, tables that split across pages, a QR code, and a
footer on every page with the project code and "第 X 页 / 共 Y 页".

Reproducible: the same data gives the same bytes. reportlab runs in invariant mode (no random document id, no
clock), the creation date is the record's own `issued_at`, and nothing else depends on the machine but the
font file. The last page's footer carries `content_digest(data)`: a PDF cannot contain the hash of its own
bytes, so the printed hash is that of the record's content in canonical JSON (see docs/pdf.md)."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import json
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from archive.pdf.fonts import CJKFont, cjk_font, font_runs
from core.money import format_yuan

SHANGHAI = ZoneInfo("Asia/Shanghai")
MARGIN = 18 * mm
FOOTER_Y = 10 * mm
GRID = colors.HexColor("#8c8c8c")
HEADER_FILL = colors.HexColor("#e8e8e8")
CELL_SIZE, CELL_LEADING, CELL_PADDING = 9, 12.5, 6
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
ELECTRONIC_SIGNATURES = "electronic_signatures"  # {"digest", "items": [{signer, role, signed_at, fingerprint, signature}]}
BLANK = object()  # a cell left empty on purpose (to be filled in by hand), where None would print "—"


def canonical_json(data: Any) -> str:
    """Sorted keys, no whitespace, UTF-8 text unescaped; Decimal as plain digits, times as ISO 8601 in UTC."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_json_value)


def content_digest(data: Mapping[str, Any]) -> str:
    """SHA-256 (lower-case hex) of the canonical JSON of a record's data: what its last page prints."""
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple | set | frozenset):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    raise TypeError(f"not serialisable in a record: {type(value).__name__}")


# ISO 8601 text of a moment (a date, "T" or a space, a time of day): a record prints it in local time too, so a
# time that reached the data as text (a proof's metadata) never shows as UTC
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")


def as_time(value: dt.datetime | str, zone: ZoneInfo = SHANGHAI) -> dt.datetime:
    """An aware time in `zone` (the record's, TIME_ZONE); a naive time or ISO text without offset is taken as
    already local."""
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime.combine(moment, dt.time())
    return moment.astimezone(zone) if moment.tzinfo else moment.replace(tzinfo=zone)


def text(value: Any, zone: ZoneInfo = SHANGHAI) -> str:
    """A cell's text: times (and ISO 8601 text of times) in the record's zone, booleans as 是/否, lists joined,
    nothing as a dash."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime) or isinstance(value, str) and ISO_MOMENT.fullmatch(value):
        return as_time(value, zone).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, list | tuple):
        return "；".join(text(item, zone) for item in value) or "—"
    return str(value)


def money(value: Decimal | None) -> str:
    return format_yuan(value, unit=True)


def markup(value: Any, font: CJKFont, zone: ZoneInfo = SHANGHAI) -> str:
    """Plain text as Paragraph markup: escaped (names like "A & <b>" stay text), line breaks kept, characters
    the main font lacks set in a fallback font."""
    parts = []
    for fallback, run in font_runs(_CONTROL.sub("", text(value, zone)), font):
        run = escape(run).replace("\n", "<br/>")
        parts.append(f'<font name="{fallback.name}">{run}</font>' if fallback else run)
    return "".join(parts)


class RecordDocument:
    """One record being laid out. Add flowables in reading order, then `to_bytes()`.

    `data` is the record's whole input; it must hold `project` (`code`, `title`) and `issued_at` (an aware
    datetime or ISO text), and may hold `centre` (the trading centre's name, printed above the title),
    `doc_number` (its 文号) and `time_zone` (the zone every time is printed in; Asia/Shanghai if absent)."""

    def __init__(self, data: Mapping[str, Any], *, title: str, font_path: str | None = None):
        self.font = cjk_font(font_path)
        self.title = title
        self.project = data["project"]
        self.zone = ZoneInfo(data.get("time_zone") or "Asia/Shanghai")
        self.issued_at = as_time(data["issued_at"], self.zone)
        self.doc_number = data.get("doc_number")
        self.centre = data.get("centre") or ""
        # personal signatures sign the record's digest, so they cannot be part of what it covers
        self.digest = content_digest({k: v for k, v in data.items() if k != ELECTRONIC_SIGNATURES})
        self.electronic = data.get(ELECTRONIC_SIGNATURES)
        self.story: list = []
        self.styles = _styles(self.font.name)
        self.width = A4[0] - 2 * MARGIN
        self._title_block()

    def _title_block(self) -> None:
        if self.centre:
            self.story.append(Paragraph(self._markup(self.centre), self.styles["centre"]))
        self.story.append(Paragraph(self._markup(self.title), self.styles["title"]))
        self.story.append(Paragraph(self._markup(self.project["title"]), self.styles["subtitle"]))
        self.facts([("项目编号", self.project["code"]), ("文号", self.doc_number), ("制表时间", self.issued_at)])

    def text(self, value: Any) -> str:
        """`text` in this record's zone: for builders that put a value into a sentence."""
        return text(value, self.zone)

    def heading(self, value: str, *, room: float = 35 * mm) -> None:
        """A section heading, on a new page unless `room` is left below it: a heading never ends a page.
        (keepWithNext would move a whole long table to the next page instead of splitting it.)"""
        self.story += [CondPageBreak(room), Paragraph(self._markup(value), self.styles["heading"])]

    def paragraph(self, value: Any) -> None:
        self.story.append(Paragraph(self._markup(value), self.styles["body"]))

    def facts(self, pairs: Sequence[tuple[str, Any]], *, columns: int = 2) -> None:
        """Label–value pairs, `columns` pairs to a row."""
        cells = [[self._cell(label, "label"), self._cell(value)] for label, value in pairs]
        rows = [sum(cells[i : i + columns], []) for i in range(0, len(cells), columns)]
        used = len(rows[-1])
        rows[-1] += [""] * (2 * columns - used)
        widths = self._widths(([1, 2] if columns > 1 else [1, 3]) * columns)
        labels = [("BACKGROUND", (c, 0), (c, -1), HEADER_FILL) for c in range(0, 2 * columns, 2)]
        if used < 2 * columns:  # the last value takes the rest of its row rather than leave empty boxes
            labels += [("SPAN", (used - 1, -1), (-1, -1)), ("BACKGROUND", (used - 1, -1), (-1, -1), colors.white)]
        self.story += [self._grid(rows, widths, labels), Spacer(1, 4 * mm)]

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[Any]], *,
              widths: Sequence[float] | None = None, align: str = "", padding: float | None = None) -> None:
        """A data table whose header row repeats on every page it runs onto. `align` is one letter per
        column, l/c/r (left by default); `widths` are relative; `padding` (points) makes rows taller."""
        widths = self._widths(widths or [1] * len(headers))
        body = [[self._data_cell(v, align[i:i + 1], widths[i]) for i, v in enumerate(row)] for row in rows]
        style = [("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL)]
        style += [("ALIGN", (i, 1), (i, -1), _ALIGN[a][1]) for i, a in enumerate(align)]
        if not body:
            body = [[self._cell("（无）", "center")] + [""] * (len(headers) - 1)]
            style.append(("SPAN", (0, 1), (-1, 1)))
        if padding is not None:
            style += [("TOPPADDING", (0, 1), (-1, -1), padding), ("BOTTOMPADDING", (0, 1), (-1, -1), padding)]
        header = [self._cell(h, "head") for h in headers]
        # splitInRow: a cell taller than a page (an announcement's text in an audit diff) runs onto the next
        self.story += [self._grid([header, *body], widths, style, repeatRows=1, splitInRow=1), Spacer(1, 4 * mm)]

    def _data_cell(self, value: Any, align: str, width: float) -> Paragraph | str:
        """A plain string where one line in the main font fits: a long table is mostly such cells, and a
        string is drawn several times faster than a Paragraph (see bench/archive.py)."""
        plain = "" if value is BLANK else _CONTROL.sub("", text(value, self.zone))
        if "\n" not in plain and all(map(self.font.covers, plain)) and (
                stringWidth(plain, self.font.name, CELL_SIZE) <= width - 2 * CELL_PADDING):
            return plain
        return self._cell(value, _ALIGN.get(align, _ALIGN["l"])[0])

    def qr(self, url: str, caption: Sequence[tuple[str, Any]], *, size: float = 38 * mm) -> None:
        """A QR code of `url` beside the facts that explain it."""
        code = Drawing(size, size, initialFontName=self.font.name)  # else Helvetica, not embedded
        code.add(QrCodeWidget(url, barWidth=size, barHeight=size, barLevel="M"))
        inner = self.width - size - 4 * mm
        facts = self._grid([[self._cell(k, "label"), self._cell(v)] for k, v in caption],
                           [inner * 0.28, inner * 0.72], [("BACKGROUND", (0, 0), (0, -1), HEADER_FILL)])
        block = Table([[facts, code]], colWidths=[inner + 4 * mm, size],
                      style=[("FONTNAME", (0, 0), (-1, -1), self.font.name), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                             ("LEFTPADDING", (0, 0), (0, 0), 0),
                             ("RIGHTPADDING", (1, 0), (1, 0), 0), ("LEFTPADDING", (1, 0), (1, 0), 0)])
        self.story += [block, Spacer(1, 4 * mm)]  # one row: never split; a KeepTogether would orphan the heading

    def signatures(self, roles: Sequence[str]) -> None:
        """Lines for hand signatures, kept together with their heading."""
        rows = [[self._cell(role, "label"), "", self._cell("日期", "label"), ""] for role in roles]
        table = self._grid(rows, self._widths([0.22, 0.43, 0.12, 0.23]), [], rowHeights=11 * mm)
        self.story.append(KeepTogether([Spacer(1, 3 * mm), Paragraph("签字确认", self.styles["heading"]), table]))
        if self.electronic and self.electronic.get("items"):
            self.electronic_signatures(self.electronic)

    def electronic_signatures(self, block: Mapping[str, Any]) -> None:
        """The personal signatures (ECDSA P-256) of the record's digest, each with its key's fingerprint and the
        start of the signature; the whole of each is in the signatures export the offline verifier checks."""
        rows = [[self._cell(h, "label") for h in ("签名人", "身份", "签名时间", "密钥指纹", "签名（前16位）")]]
        rows += [[self._cell(item["signer"]), self._cell(item["role"]), self._cell(item["signed_at"]),
                  self._cell(item["fingerprint"][:16]), self._cell(item["signature"][:16])]
                 for item in block["items"]]
        table = self._grid(rows, self._widths([0.2, 0.14, 0.22, 0.22, 0.22]),
                           [("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL)], repeatRows=1)
        note = Paragraph(self._markup(f"签名所针对的记录摘要（SHA-256，不含文号）：{block['digest']}"), self.styles["cell"])
        self.story.append(KeepTogether([Spacer(1, 3 * mm), Paragraph("电子签名", self.styles["heading"]), note,
                                        Spacer(1, 2 * mm), table]))

    def _grid(self, rows: list, widths: list[float], style: list, **kwargs: Any) -> Table:
        # FONTNAME too: an empty string cell would otherwise pull in Helvetica, which is not embedded
        base = [("GRID", (0, 0), (-1, -1), 0.5, GRID), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("FONTNAME", (0, 0), (-1, -1), self.font.name), ("FONTSIZE", (0, 0), (-1, -1), CELL_SIZE),
                ("LEADING", (0, 0), (-1, -1), CELL_LEADING),
                *((side, (0, 0), (-1, -1), CELL_PADDING) for side in ("LEFTPADDING", "RIGHTPADDING"))]
        return Table(rows, colWidths=widths, style=TableStyle(base + style), **kwargs)

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        document = SimpleDocTemplate(
            buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
            bottomMargin=MARGIN + 4 * mm, invariant=1, title=f"{self.title} {self.project['title']}",
            author=self.centre, subject=str(self.project["code"]), creator="jiaoyi archive",
            keywords=f"content-sha256:{self.digest}", initialFontName=self.font.name,
        )
        document.build(self.story, canvasmaker=functools.partial(_FooterCanvas, record=self))
        return buffer.getvalue()

    def _cell(self, value: Any, style: str = "cell") -> Paragraph | str:
        if value is BLANK:
            return ""
        return Paragraph(self._markup(value), self.styles[style])

    def _markup(self, value: Any) -> str:
        return markup(value, self.font, self.zone)

    def _widths(self, weights: Sequence[float]) -> list[float]:
        total = sum(weights)
        return [self.width * w / total for w in weights]


_ALIGN = {"l": ("cell", "LEFT"), "c": ("center", "CENTER"), "r": ("number", "RIGHT")}


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK", spaceAfter=4)
    cell = ParagraphStyle("cell", base, fontSize=CELL_SIZE, leading=CELL_LEADING, spaceAfter=0)
    return {
        "body": base,
        "centre": ParagraphStyle("centre", base, fontSize=11, alignment=TA_CENTER, spaceAfter=2),
        "title": ParagraphStyle("title", base, fontSize=18, leading=26, alignment=TA_CENTER, spaceAfter=4),
        "subtitle": ParagraphStyle("subtitle", base, fontSize=12, leading=17, alignment=TA_CENTER,
                                   spaceAfter=8),
        "heading": ParagraphStyle("heading", base, fontSize=12.5, leading=18, spaceBefore=4, spaceAfter=4),
        "cell": cell,
        "label": ParagraphStyle("label", cell, alignment=TA_LEFT),
        "head": ParagraphStyle("head", cell, alignment=TA_CENTER),
        "center": ParagraphStyle("center", cell, alignment=TA_CENTER),
        "number": ParagraphStyle("number", cell, alignment=TA_RIGHT),
    }


class _FooterCanvas(Canvas):
    """Holds every page until the end, so that each footer can say how many pages there are and the last
    one can carry the content digest."""

    def __init__(self, *args, record: RecordDocument, **kwargs):
        super().__init__(*args, **kwargs)
        self._record = record
        self._pages: list[dict] = []
        offset = record.issued_at.strftime("%z") or "+0000"
        stamp = record.issued_at.strftime(f"D:%Y%m%d%H%M%S{offset[:3]}'{offset[3:]}'")
        self.setDateFormatter(lambda *_: stamp)

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for number, page in enumerate(self._pages, start=1):
            self.__dict__.update(page)
            self._footer(number, total)
            super().showPage()
        super().save()

    def _footer(self, number: int, total: int) -> None:
        record, left, right = self._record, MARGIN, A4[0] - MARGIN
        self.saveState()
        self.setStrokeColor(GRID)
        self.setLineWidth(0.5)
        self.line(left, FOOTER_Y + 9 * mm, right, FOOTER_Y + 9 * mm)
        self.setFont(record.font.name, 8)
        self.setFillColor(colors.HexColor("#404040"))
        doc_number = f"  {record.doc_number}" if record.doc_number else ""
        self.drawString(left, FOOTER_Y + 5 * mm, f"项目编号 {record.project['code']}{doc_number}  {record.title}")
        self.drawRightString(right, FOOTER_Y + 5 * mm, f"第 {number} 页 / 共 {total} 页")
        if number == total:
            self.drawString(left, FOOTER_Y + 1 * mm, f"内容摘要 SHA-256: {record.digest}")
        self.restoreState()
