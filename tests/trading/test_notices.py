"""The centre's notice texts (随机抽取企业须知 and the room rules) have versions: the administrator publishes a new
one on the centre's page, every earlier one stays readable, a project keeps the version it was announced with, and a
registration records the version (number and text hash) the enterprise acknowledged."""

import datetime as dt
import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import LedgerEntry
from core import clock
from core.roles import Role
from tests import factories
from trading.models import NoticeKind, NoticeText, Registration
from trading.services import notices
from trading.services.sessions import session_book

pytestmark = pytest.mark.django_db

KINDS = ["drawn_enterprises", "meeting_discipline", "experts", "supervisors"]


@pytest.fixture
def admin():
    return factories.user(Role.ADMIN, username="centre-admin")


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_each_notice_has_a_first_version_from_the_default_text(client):
    answer = client.get("/api/notices")
    assert answer.status_code == 200
    assert answer.json()["count"] == len(KINDS)  # a list answers {items, count}, as every list of the API
    rows = {row["kind"]: row for row in answer.json()["items"]}
    assert sorted(rows) == sorted(KINDS)
    assert all(row["version"] == 1 and row["sha256"] == _sha(row["text"]) for row in rows.values())
    assert "固定价比选" in rows["drawn_enterprises"]["text"] and "回避" in rows["experts"]["text"]
    assert rows["meeting_discipline"]["kind_display"] == "会议纪律"


def test_a_new_version_keeps_the_earlier_ones_and_records_who_and_when(admin, client):
    first = notices.notice_publish(actor=admin, kind="meeting_discipline", text="一、按时签到。",
                                   change_note="精简")
    second = notices.notice_publish(actor=admin, kind="meeting_discipline", text="一、按时签到。\n二、手机静音。")

    assert (first.version, second.version) == (2, 3)  # version 1 is the default text, stored on the first edit
    answer = client.get("/api/notices/meeting_discipline").json()
    assert answer["current"]["version"] == 3 and answer["current"]["text"].endswith("手机静音。")
    assert [v["version"] for v in answer["versions"]] == [3, 2, 1]
    assert answer["versions"][1]["change_note"] == "精简"
    assert second.published_by == admin and first.published_at <= second.published_at <= clock.now()
    assert NoticeText.objects.get(kind="meeting_discipline", version=1).published_by.username == "system"
    entry = LedgerEntry.objects.filter(object_type="trading.NoticeText").order_by("-seq").first()
    assert entry.actor == admin.username


@pytest.mark.parametrize(("kind", "text", "field", "message"), [
    ("experts", "   ", "text", "正文：必填。"),
    ("experts", "x" * 20001, "text", "正文：不超过20000个字符。"),
    ("nonsense", "一、按时签到。", "kind", "须知类别"),
    ("drawn_enterprises", "固定价为{合同价}元。", "text", "未知的占位符 {合同价}"),
    ("supervisors", "到场{签约天数}日", "text", "未知的占位符"),
])
def test_a_bad_notice_is_refused_on_its_field_and_writes_nothing(admin, kind, text, field, message):
    before = LedgerEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        notices.notice_publish(actor=admin, kind=kind, text=text)
    assert message in " ".join(refused.value.message_dict[field])
    assert LedgerEntry.objects.count() == before and not NoticeText.objects.exists()


def test_the_same_text_again_is_refused(admin):
    current = notices.notice_publish(actor=admin, kind="experts", text="一、回避。")
    with pytest.raises(ValidationError) as refused:
        notices.notice_publish(actor=admin, kind="experts", text=current.text)
    assert "与当前版本相同" in refused.value.message_dict["text"][0]


def test_only_the_administrator_publishes_a_notice():
    for role in (Role.AGENCY, Role.INSPECTOR, Role.SUPERVISOR, Role.ENTERPRISE):
        with pytest.raises(PermissionDenied):
            notices.notice_publish(actor=factories.user(role), kind="experts", text="一、回避。")
    assert not NoticeText.objects.exists()


def test_an_unknown_kind_is_404_in_the_api(client):
    answer = client.get("/api/notices/rules")
    assert answer.status_code == 404 and "须知类别" in answer.json()["detail"]


def test_a_project_is_announced_with_the_current_notice_and_keeps_it(admin, client):
    notices.notice_publish(actor=admin, kind="drawn_enterprises", text="中选后{签约天数}日内签约，固定价{固定合同价}元。")
    project = factories.fixed_price_project()
    notices.notice_publish(actor=admin, kind="drawn_enterprises", text="第三版须知。")
    project.refresh_from_db()

    assert project.notice_version == 2
    assert project.notice == "中选后30日内签约，固定价1,780,000.00元。"
    page = client.get(f"/projects/{project.code}/").content.decode()
    assert "第2版" in page and "中选后30日内签约" in page and "第三版须知。" not in page


def test_the_registration_records_the_acknowledged_version_and_a_later_version_does_not_change_it(admin):
    notices.notice_publish(actor=admin, kind="drawn_enterprises", text="第二版：{固定合同价}元。")
    project = factories.fixed_price_project()
    first = factories.register(project, factories.enterprise_with_licences()[1])
    notices.notice_publish(actor=admin, kind="drawn_enterprises", text="第三版。")
    second = factories.register(project, factories.enterprise_with_licences()[1])
    later = factories.fixed_price_project()
    third = factories.register(later, factories.enterprise_with_licences()[1])

    first.refresh_from_db()
    assert (first.notice_version, first.notice_sha256) == (2, _sha("第二版：{固定合同价}元。"))
    # the project was announced with version 2: who registers after version 3 still acknowledges what it announced
    assert (second.notice_version, second.notice_sha256) == (2, first.notice_sha256)
    assert (third.notice_version, third.notice_sha256) == (3, _sha("第三版。"))


def test_the_register_page_shows_the_version_the_enterprise_acknowledges(client, admin):
    notices.notice_publish(actor=admin, kind="drawn_enterprises", text="第二版须知正文。")
    project = factories.fixed_price_project()
    client.force_login(factories.enterprise_with_licences()[1])
    page = client.get(f"/projects/{project.code}/register/").content.decode()
    assert "第2版" in page and "第二版须知正文。" in page and _sha("第二版须知正文。") in page

    client.post(f"/projects/{project.code}/register/", {"manager_name": "王工", "manager_certificate": "川1",
                                                         "acknowledge_notice": "on"})
    notices.notice_publish(actor=admin, kind="drawn_enterprises", text="第三版。")
    mine = client.get("/my/registrations/").content.decode()
    assert "第2版" in mine and _sha("第二版须知正文。") in mine


def test_a_registration_before_any_edit_acknowledges_version_1():
    project = factories.fixed_price_project()
    registration = factories.register(project, factories.enterprise_with_licences()[1])
    version = NoticeText.objects.get(kind=NoticeKind.DRAWN_ENTERPRISES)
    assert (registration.notice_version, registration.notice_sha256) == (1, version.sha256)
    assert Registration.objects.get(pk=registration.pk).notice_version == 1


@pytest.mark.parametrize("path", ["/centre/notices/", "/centre/notices/experts/"])
def test_the_notice_pages_render_for_the_admin_and_are_refused_to_others(client, path):
    client.force_login(factories.user(Role.ADMIN))
    assert client.get(path).status_code == 200
    for role in (Role.AGENCY, Role.INSPECTOR, Role.ENTERPRISE, Role.SUPERVISOR, Role.EXPERT):
        client.force_login(factories.user(role))
        assert client.get(path).status_code == 403


def test_the_administrator_edits_a_notice_on_the_page_and_sees_every_version(client, admin):
    client.force_login(admin)
    done = client.post("/centre/notices/supervisors/", {"action": "notice", "text": "一、全程监督。",
                                                         "change_note": "按新规定修订"})
    assert done.status_code == 302
    page = client.get("/centre/notices/supervisors/").content.decode()
    assert "第2版" in page and "第1版" in page and "一、全程监督。" in page and "按新规定修订" in page
    assert "centre-admin" in page
    refused = client.post("/centre/notices/supervisors/", {"action": "notice", "text": ""})
    assert refused.status_code == 400 and "正文：必填。" in refused.content.decode()
    assert NoticeText.objects.filter(kind="supervisors").count() == 2


def test_an_unknown_notice_page_is_404(client, admin):
    client.force_login(admin)
    assert client.get("/centre/notices/nonsense/").status_code == 404


def test_the_sign_in_page_shows_the_room_rules_by_role(client, admin):
    notices.notice_publish(actor=admin, kind="experts", text="专家：独立评审。")
    notices.notice_publish(actor=admin, kind="supervisors", text="监督：当场制止。")
    project = factories.fixed_price_project()
    starts = clock.now() + dt.timedelta(minutes=30)
    session = session_book(actor=project.created_by, project=project, room=factories.room("evaluation"),
                           kind="evaluation", starts_at=starts, ends_at=starts + dt.timedelta(hours=2))
    path = f"/sessions/{session.pk}/"

    client.force_login(factories.user(Role.EXPERT))
    page = client.get(path).content.decode()
    assert "会议纪律" in page and "专家：独立评审。" in page and "监督：当场制止。" not in page
    client.force_login(factories.user(Role.SUPERVISOR))
    page = client.get(path).content.decode()
    assert "会议纪律" in page and "监督：当场制止。" in page and "专家：独立评审。" not in page
