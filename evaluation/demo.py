"""Demo: an expert pool from expert1…expert9 (two of them conflicted with demo bidders), one procurement project
run through sealed bids, opening, a drawn panel and scoring into publicity, one land auction to its hammer price,
and one remote opening (不见面开标) waiting for its key holders: three bid files sealed to the keys of supervisor,
supervisor2 and agency, whose key files (what their browsers would have downloaded) are written under
VAR_DIR/demo-keys/. Idempotent: skipped when the demo projects exist."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from core import clock, context
from core.errors import Conflict
from evaluation import bidfile
from evaluation.models import Expert
from evaluation.services import auctions, bidfiles, evaluating, panels
from evaluation.services import bids as bid_services
from lottery import engine
from trading.models import Organisation, Project, Room, User
from trading.services.projects import project_create, project_publish
from trading.services.sessions import attendance_sign, session_book

SPECIALTY = "计算机及网络设备"
PROCUREMENT = "县教育局智慧教室设备采购（评标演示）"
AUCTION = "城北2026-03号地块国有建设用地使用权拍卖（演示）"
REMOTE = "县人民医院信息系统运维服务采购（不见面开标演示）"
REMOTE_HOURS = 4  # the demo's opening window runs this long from `make run`
PRICES = ["2860000.00", "2795000.00", "3150000.00", "2930000.00"]  # the third is over the ceiling
CRITERIA = [
    {"code": "tech", "name": "技术方案", "kind": "technical", "weight": "40", "max_score": "40"},
    {"code": "service", "name": "售后服务", "kind": "commercial", "weight": "20", "max_score": "20"},
]


def load(out=print) -> None:
    users = {u.username: u for u in User.objects.filter(username__in=[
        "admin", "agency", "supervisor", "supervisor2", *(f"expert{n}" for n in range(1, 10)),
        *(f"enterprise{n}" for n in range(1, 7))])}
    if len(users) < 18:
        out("evaluation demo skipped: the trading demo logins are missing")
        return
    with context.acting_as_system(reason="demo data"):
        _pool(users)
    if not Project.objects.filter(title=PROCUREMENT).exists():
        code = _procurement(users)
        out(f"demo evaluation {code}: candidates in publicity at /candidates/{code}/")
    if not Project.objects.filter(title=AUCTION).exists():
        code = _auction(users)
        out(f"demo auction {code}: hammer price at /auction/{code}/")
    remote = Project.objects.filter(title=REMOTE).first()
    if remote is None and settings.BID_KEY_HOLDERS > 3:
        out(f"demo remote opening skipped: it has three key holders, BID_KEY_HOLDERS is {settings.BID_KEY_HOLDERS}")
    elif remote is None:
        code, folder = _remote_opening(users)
        out(f"demo remote opening {code}: for {REMOTE_HOURS} h, supervisor and supervisor2 load their key files "
            f"from {folder} at /evaluation/{code}/opening/, then agency opens at /evaluation/{code}/manage/")
    else:
        window = remote.sessions.filter(kind="opening").order_by("-ends_at").values_list("ends_at", flat=True).first()
        out(f"demo remote opening {remote.code}: {remote.get_status_display()}, its window ends "
            f"{timezone.localtime(window):%Y-%m-%d %H:%M}")


def _pool(users: dict[str, User]) -> None:
    conflicts = {1: {"employer": "enterprise1"}, 2: {"relation": "enterprise2"}}
    for n in range(1, 10):
        user = users[f"expert{n}"]
        if Expert.objects.filter(user=user).exists():
            continue
        tie = conflicts.get(n, {})
        employer = users[tie["employer"]].organisation if "employer" in tie else None
        relations = [{"uscc": users[tie["relation"]].organisation.uscc, "relation": "近亲属任职"}] \
            if "relation" in tie else []
        panels.expert_save(actor=users["admin"], user=user, name=user.first_name or user.username,
                           specialty=SPECIALTY, employer=employer, relations=relations)


def _past(days: float):
    return clock.travel(-dt.timedelta(days=days))


def _procurement(users: dict[str, User]) -> str:
    agency = users["agency"]
    deadline = timezone.now() - dt.timedelta(days=2)
    with _past(10):
        project = project_create(actor=agency, data={
            "type": "procurement", "title": PROCUREMENT, "budget": Decimal("3200000.00"),
            "ceiling_price": Decimal("3000000.00"), "registration_deadline": deadline,
            "announcement": "采购智慧教室交互设备及配套服务，采用综合评估法。"})
        project = project_publish(actor=agency, project=project)
        for n, price in enumerate(PRICES, start=1):
            bid_services.bid_submit(actor=users[f"enterprise{n}"], project=project,
                                    data={"price": price, "duration": "45日历天", "terms": "质保三年，4小时响应"})
        room = Room.objects.filter(kind="opening").order_by("name").first()
        session_book(actor=agency, project=project, room=room, kind="opening",
                     starts_at=deadline + dt.timedelta(minutes=30), ends_at=deadline + dt.timedelta(hours=4))
    with clock.travel(deadline + dt.timedelta(minutes=40) - timezone.now()):
        bid_services.bids_close(actor=agency, project=project)
        session = project.sessions.get(kind="opening")
        attendance_sign(actor=users["supervisor"], session=session, badge="supervisor")
        attendance_sign(actor=users["enterprise1"], session=session, badge="bidder")
        bid_services.bids_open(actor=agency, project=project)
        panels.panel_request(actor=agency, project=project, specialty=SPECIALTY, size=5)
        evaluating.plan_set(actor=agency, project=project, method="comprehensive", price_weight="40",
                            criteria=CRITERIA)
        panel = _draw(project, [users["supervisor"], users["supervisor2"]])
        valid = list(evaluating.valid_bids(project))
        for seat, member in enumerate(panels.seated(panel)):
            sheet = {str(b.pk): {"tech": str(30 + (b.pk + seat) % 8), "service": str(14 + b.pk % 5)} for b in valid}
            evaluating.score_submit(actor=member.expert.user, project=project, sheet=sheet)
        evaluating.evaluation_finish(actor=agency, project=project)
    return project.code


def _draw(project: Project, supervisors: list[User]):
    """The two demo supervisors sign in to a draw session, seal, reveal, and the first draws."""
    start = clock.now() + dt.timedelta(minutes=1)
    session = session_book(actor=project.created_by, project=project, kind="draw", starts_at=start,
                           room=Room.objects.filter(kind="draw").order_by("name").first(),
                           ends_at=start + dt.timedelta(hours=1))
    picks = [("de40" * 8, "6021"), ("de41" * 8, "88")]  # nonces: 32 hex, fixed so the demo repeats
    for supervisor in supervisors:
        attendance_sign(actor=supervisor, session=session, badge="supervisor")
    for supervisor, (nonce, value) in zip(supervisors, picks, strict=True):
        panels.panel_input_seal(actor=supervisor, project=project, commitment=engine.input_commitment(nonce, value))
    for supervisor, (nonce, value) in zip(supervisors, picks, strict=True):
        panels.panel_input_reveal(actor=supervisor, project=project, value=value, nonce=nonce)
    return panels.panel_draw(actor=supervisors[0], project=project)


def _auction(users: dict[str, User]) -> str:
    agency = users["agency"]
    deadline = timezone.now() - dt.timedelta(days=1)
    with _past(9):
        project = project_create(actor=agency, data={
            "type": "land_auction", "title": AUCTION, "budget": Decimal("38000000.00"),
            "registration_deadline": deadline})
        project = project_publish(actor=agency, project=project)
        auction = auctions.auction_setup(actor=agency, project=project, starting_price="38000000",
                                         increment="200000", reserve_price="38400000")
        for n in (5, 6):
            org = Organisation.objects.get(pk=users[f"enterprise{n}"].organisation_id)
            auctions.auction_register(actor=agency, auction=auction, bidder=org, number=f"A{n:02d}")
    with clock.travel(deadline + dt.timedelta(hours=1) - timezone.now()):
        auctions.auction_start(actor=agency, auction=auction)
        for number, amount in [("A05", "38000000"), ("A06", "38200000"), ("A05", "38600000")]:
            auctions.auction_bid(actor=agency, auction=auction, bidder_number=number, amount=amount)
        auctions.auction_hammer(actor=agency, auction=auction)
    return project.code


@transaction.atomic  # all or nothing: the key files are written inside, so no project is left with its keys lost
def _remote_opening(users: dict[str, User]) -> tuple[str, str]:
    """Three bid files sealed (as the bidders' browsers do) to the keys of supervisor, supervisor2 and agency (as
    many of them as BID_KEY_HOLDERS asks), the bid box closed, the opening window open for REMOTE_HOURS: the
    threshold's number of holders open the bids."""
    agency = users["agency"]
    holders = [users["supervisor"], users["supervisor2"], agency][:settings.BID_KEY_HOLDERS]
    deadline = timezone.now() - dt.timedelta(minutes=20)
    with _past(6):
        project = project_publish(actor=agency, project=project_create(actor=agency, data={
            "type": "procurement", "title": REMOTE, "budget": Decimal("960000.00"),
            "ceiling_price": Decimal("900000.00"), "registration_deadline": deadline,
            "announcement": "采购医院信息系统三年运维服务；投标文件须在浏览器中加密递交，开标在线进行（不见面开标）。"}))
        bidfiles.bid_round_mode_set(actor=agency, project=project, mode="bidder")
        _book_opening(project, starts_at=deadline + dt.timedelta(minutes=10),
                      ends_at=timezone.now() + dt.timedelta(hours=REMOTE_HOURS))
        keys = []
        for holder in holders:
            private = ec.generate_private_key(ec.SECP256R1())
            bidfiles.opening_key_register(actor=holder, project=project, public_jwk=bidfile.public_jwk(
                private.public_key()))
            keys.append((holder, private))
        publics = [private.public_key() for _holder, private in keys]
        for n, price in ((3, "868000.00"), (4, "845500.00"), (5, "879000.00")):
            bidder = users[f"enterprise{n}"]
            schedule = {"price": price, "duration": "36个月", "terms": "7×24小时响应，驻场2人"}
            sealed = bidfile.seal_bid_file(
                project=project.code, round_no=project.round, bidder=bidder.organisation.uscc, schedule=schedule,
                pdf=_bid_pdf(project, bidder.organisation.name, schedule), holders=publics,
                threshold=settings.BID_KEY_THRESHOLD)
            bidfiles.bid_file_submit(actor=bidder, project=project, ciphertext=sealed.ciphertext, data={
                "context": sealed.context, "ciphertext_sha256": sealed.ciphertext_sha256,
                "key_commitment": sealed.key_commitment, "shares": [s.as_json() for s in sealed.shares]})
    with clock.travel(deadline + dt.timedelta(minutes=1) - timezone.now()):
        bid_services.bids_close(actor=agency, project=project)
    return project.code, str(_key_files(project, keys))


def _book_opening(project: Project, *, starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    """The first opening room free for the window (another demo may hold one)."""
    for room in Room.objects.filter(kind="opening", is_active=True).order_by("name"):
        try:
            session_book(actor=project.created_by, project=project, room=room, kind="opening",
                         starts_at=starts_at, ends_at=ends_at)
            return
        except Conflict:
            continue
    raise Conflict(f"no opening room is free for the demo's remote opening of {project.code}")


def _bid_pdf(project: Project, bidder: str, schedule: dict[str, str]) -> bytes:
    """A one-page bid document, as a bidder would upload it (the bidder's own file: reportlab's standard Chinese
    font, not the centre's embedded one, which is archive's and not evaluation's to import)."""
    font, out = UnicodeCIDFont("STSong-Light"), io.BytesIO()
    pdfmetrics.registerFont(font)
    page = canvas.Canvas(out, pagesize=A4)
    page.setFont(font.name, 16)
    page.drawString(72, 760, f"投标文件 · {project.code}")
    page.setFont(font.name, 11)
    for row, text in enumerate([project.title, f"投标人：{bidder}", f"投标报价：{schedule['price']} 元",
                                f"服务期：{schedule['duration']}", f"服务承诺：{schedule['terms']}"]):
        page.drawString(72, 720 - 22 * row, text)
    page.save()
    return out.getvalue()


def _key_files(project: Project, keys: list[tuple[User, ec.EllipticCurvePrivateKey]]):
    """What each holder's browser would have downloaded at key registration (static/js/opening.js)."""
    folder = settings.VAR_DIR / "demo-keys"
    folder.mkdir(parents=True, exist_ok=True)
    for holder, private in keys:
        fingerprint = bidfile.key_fingerprint(private.public_key())
        path = folder / f"{holder.username}-{project.code}.json"
        path.write_text(json.dumps({"scheme": "bidfile-v1", "project": project.code, "round": project.round,
                                    "fingerprint": fingerprint, "private_jwk": bidfile.private_jwk(private)}, indent=1))
        path.chmod(0o600)
    return folder
