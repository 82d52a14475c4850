import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from audit.models import LedgerEntry
from core import clock
from core.errors import Conflict
from tests import factories
from trading.models import Organisation, Project, Registration
from trading.validators import validate_uscc

pytestmark = pytest.mark.django_db


def _create(agency, **data):
    from trading.services.projects import project_create

    payload = {"type": "fixed_price", "title": "测试工程", "budget": "1850000.00", "fixed_price": "1780000.00",
               "registration_deadline": clock.now() + dt.timedelta(days=7)}
    payload.update(data)
    return project_create(actor=agency, data=payload)


def _errors(agency, **data) -> dict:
    before = (Project.objects.count(), LedgerEntry.objects.count())
    with pytest.raises(ValidationError) as excinfo:
        _create(agency, **data)
    assert (Project.objects.count(), LedgerEntry.objects.count()) == before  # nothing stored
    return excinfo.value.message_dict


def test_the_budget_limit_includes_two_million_exactly():
    project = _create(factories.agency_user(), budget="2000000.00", fixed_price="2000000.00")
    assert project.budget == Decimal("2000000.00")


@pytest.mark.parametrize(("budget", "message"), [
    ("2000000.01", "2,000,000.00元以下（含）"), ("-1", "负数"), ("100.123", "两位小数"), ("abc", "不是有效金额"), ("", "必填"),
    ("NaN", "有限"), ("1e30", "过大"),
])
def test_a_bad_budget_is_refused_naming_the_field(budget, message):
    errors = _errors(factories.agency_user(), budget=budget)
    assert message in " ".join(errors["budget"])


def test_a_fixed_price_above_the_budget_is_refused():
    assert "fixed_price" in _errors(factories.agency_user(), budget="1000000.00", fixed_price="1000000.01")


def test_fixed_price_needs_government_invested_construction():
    errors = _errors(factories.agency_user(), government_invested=False, construction=False)
    assert {"government_invested", "construction"} <= errors.keys()


@pytest.mark.parametrize("days", [-1, 0, 4])
def test_a_deadline_in_the_past_or_too_soon_is_refused(days):
    deadline = clock.now() + dt.timedelta(days=days)
    assert "registration_deadline" in _errors(factories.agency_user(), registration_deadline=deadline)


def test_a_naive_deadline_is_refused():
    naive = dt.datetime(2030, 1, 1, 9, 0)
    assert "registration_deadline" in _errors(factories.agency_user(), registration_deadline=naive)


def test_html_in_a_title_is_stored_as_text_and_rendered_inert(client):
    project = factories.fixed_price_project(title="<script>alert(1)</script>工程")
    page = client.get(f"/projects/{project.code}/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;工程" in page


@pytest.mark.parametrize("code", ["91510100MA6C00001X", "123", "91510100MA6C0000I1", ""])
def test_an_invalid_uscc_is_refused_naming_the_code(code):
    with pytest.raises(ValidationError) as excinfo:
        validate_uscc(code)
    assert code in excinfo.value.messages[0]


def test_a_lower_case_uscc_is_normalised():
    code = factories.uscc()
    org = Organisation(name="x", uscc=code.lower(), kind="enterprise")
    org.full_clean()
    assert org.uscc == code


def test_registering_for_a_draft_a_closed_or_a_non_fixed_price_project_is_refused():
    agency = factories.agency_user()
    _, enterprise = factories.enterprise_with_licences()
    draft = factories.fixed_price_project(agency=agency, publish=False)
    procurement = factories.fixed_price_project(agency=agency, type="procurement", fixed_price=None)
    for project in (draft, procurement):
        with pytest.raises(Conflict):
            factories.register(project, enterprise)
    assert Registration.objects.count() == 0


def test_a_registration_without_a_manager_names_both_fields():
    from trading.services.registrations import registration_create

    project = factories.fixed_price_project()
    _, enterprise = factories.enterprise_with_licences()
    with pytest.raises(ValidationError) as excinfo:
        registration_create(actor=enterprise, project=project, data={"acknowledge_notice": True})
    assert {"manager_name", "manager_certificate"} <= excinfo.value.message_dict.keys()


def test_the_database_refuses_a_registration_after_its_deadline_even_past_the_service():
    project = factories.fixed_price_project()
    org, enterprise = factories.enterprise_with_licences()
    manager = factories.register(project, enterprise).manager
    other_org, other = factories.enterprise_with_licences()
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(project=project, round=1, enterprise=other_org, manager=manager, registered_by=other,
                                    acknowledged_notice=True, deadline=clock.now() - dt.timedelta(seconds=1))
