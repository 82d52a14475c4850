"""The expert pool page (专家库): the centre's administrators enter experts without the API; bad input names the
field and saves nothing; inspectors read it; nobody else sees it."""

import pytest

from audit.models import LedgerEntry
from core.roles import Role
from evaluation.models import Expert
from tests import factories

pytestmark = pytest.mark.django_db


def test_an_administrator_enters_an_expert_with_employer_and_relations():
    admin, account = factories.user(Role.ADMIN), factories.user(Role.EXPERT)
    employer = factories.organisation(name="县建筑设计院")
    related = factories.organisation(name="关联企业")

    answer = factories.logged_in(admin).post("/evaluation/experts/", {
        "action": "expert", "user": account.pk, "name": "张工", "specialty": "房屋建筑", "employer": employer.pk,
        "relations": f"{related.uscc.lower()} 曾任职", "available": "on"})

    assert answer.status_code == 302
    expert = Expert.objects.get()
    assert (expert.name, expert.specialty, expert.employer, expert.available) == ("张工", "房屋建筑", employer, True)
    assert expert.relations == [{"uscc": related.uscc, "relation": "曾任职"}]
    assert LedgerEntry.objects.filter(object_type="evaluation.Expert", actor=admin.username).exists()
    assert "张工" in factories.logged_in(factories.user(Role.INSPECTOR)).get("/evaluation/experts/").content.decode()


@pytest.mark.parametrize(("data", "field"), [
    ({"name": "张工", "specialty": "房屋建筑"}, "专家账号"),
    ({"name": "张工", "specialty": ""}, "specialty"),
    ({"name": "", "specialty": "房屋建筑"}, "name"),
])
def test_bad_input_names_the_field_and_saves_nothing(data, field):
    admin, account = factories.user(Role.ADMIN), factories.user(Role.EXPERT)
    if field != "专家账号":
        data = {**data, "user": account.pk}
    answer = factories.logged_in(admin).post("/evaluation/experts/", {"action": "expert", **data}, follow=True)
    assert field in answer.content.decode()
    assert not Expert.objects.exists()


def test_an_account_that_is_not_an_expert_is_refused():
    admin = factories.user(Role.ADMIN)
    answer = factories.logged_in(admin).post("/evaluation/experts/", {
        "action": "expert", "user": factories.user(Role.ENTERPRISE).pk, "name": "李工", "specialty": "市政"},
        follow=True)
    assert "账号角色须为评标专家" in answer.content.decode() and not Expert.objects.exists()


def test_only_administrators_edit_and_inspectors_read():
    assert factories.logged_in(factories.user(Role.AGENCY)).get("/evaluation/experts/").status_code == 403
    inspector = factories.logged_in(factories.user(Role.INSPECTOR))
    assert inspector.get("/evaluation/experts/").status_code == 200
    assert inspector.post("/evaluation/experts/", {"action": "expert"}).status_code == 403
