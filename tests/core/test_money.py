"""Money is exact on both databases, and what the ledger digests is what the database stores: an amount that
would come back different (a -0, a third decimal, a 16th digit) is refused at the door, or stored as the
database gives it back, so `audit_verify` never reports an ordinary request as tampering."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from audit.models import LedgerEntry
from audit.verify import verify_chain
from core import clock, context
from core.money import MAX_AMOUNT, MoneyError, to_amount
from core.parsing import money_value
from tests import factories
from tests.conftest import login
from trading.models import Project


@pytest.mark.parametrize(("raw", "amount"), [
    ("1850000.50", "1850000.50"), (" 1850000 ", "1850000.00"), ("0", "0.00"), ("1.5", "1.50"), ("1.500", "1.50"),
    ("1E+1", "10.00"), (1850000, "1850000.00"), (Decimal("-0.00"), None), (Decimal("2.5E+3"), "2500.00"),
    ("9999999999999.99", "9999999999999.99"),
])
def test_an_amount_is_a_two_place_decimal(raw, amount):
    if amount is None:
        with pytest.raises(MoneyError, match="negative"):
            to_amount(raw)
    else:
        parsed = to_amount(raw)
        assert parsed == Decimal(amount) and str(parsed) == amount


@pytest.mark.parametrize(("raw", "problem"), [
    ("１２３", "syntax"), ("١٢٣", "syntax"), ("1_000", "syntax"), ("1,00", "grouping"),
    ("1,0000", "grouping"), (",100", "grouping"), ("1,000,00", "grouping"), ("1000,000", "grouping"),
    ("1,000.5,0", "grouping"), ("1,000e3", "grouping"), ("1,,000", "grouping"), ("1，000", "syntax"),
    ("-1,000", "negative"), ("1,000.001", "places"), ("99,999,999,999,999.99", "large"), ("12元", "syntax"),
    ("-0", "negative"), ("-0.00", "negative"), ("-5", "negative"), ("1.001", "places"), ("0.005", "places"),
    ("98765432109876.53", "large"), ("99999999999999.99", "large"), ("1e30", "large"), ("NaN", "finite"),
    ("-Infinity", "finite"), (1.5, "type"), (True, "type"), ({"v": 1}, "syntax"), (["1"], "syntax"), ("", "syntax"),
])
def test_what_is_not_an_amount_is_refused_with_the_rule_it_breaks(raw, problem):
    with pytest.raises(MoneyError) as error:
        to_amount(raw)
    assert error.value.problem == problem


@pytest.mark.parametrize(("raw", "amount"), [
    ("2,000,001.00", "2000001.00"), ("1,000", "1000.00"), (" 999,999.5 ", "999999.50"), ("12,345,678", "12345678.00"),
    ("9,999,999,999,999.99", "9999999999999.99"),
])
def test_an_amount_grouped_by_thousands_as_pages_show_it_is_read(raw, amount):
    assert str(to_amount(raw)) == amount


def test_a_misplaced_comma_says_how_to_group_in_chinese():
    with pytest.raises(ValidationError) as error:
        money_value("1,00", "budget")
    assert "千位分隔符须每三位一组" in error.value.message_dict["budget"][0]


def test_the_cap_is_what_both_databases_store_exactly():
    assert len(MAX_AMOUNT.as_tuple().digits) == 15  # a double holds 15 significant digits exactly


def test_a_bad_amount_names_the_field_in_chinese():
    with pytest.raises(ValidationError) as error:
        money_value("１２３", "budget")
    assert "不是有效金额" in error.value.message_dict["budget"][0]


def _post_project(api, budget):
    return api.post("/api/projects", {
        "type": "procurement", "title": "办公设备采购", "budget": budget,
        "registration_deadline": (clock.now() + dt.timedelta(days=7)).isoformat()}, format="json")


@pytest.mark.django_db
@pytest.mark.parametrize("budget", ["-0", "-0.00", "98765432109876.53", "99999999999999.99", "１２３", "1_000", "١٢٣",
                                    "100.001"])
def test_an_amount_either_database_would_change_is_refused_through_the_api(api, budget):
    login(api, factories.agency_user())
    before = LedgerEntry.objects.count()

    answer = _post_project(api, budget)

    assert answer.status_code == 400 and "budget" in answer.json()["errors"]
    assert LedgerEntry.objects.count() == before and not Project.objects.exists()
    assert verify_chain().ok


@pytest.mark.django_db
def test_the_largest_amount_reads_back_exactly_and_the_workspace_shows_it(api, client):
    agency = factories.agency_user()
    login(api, agency)

    answer = _post_project(api, "9999999999999.99")

    assert answer.status_code == 201, answer.json()
    assert Project.objects.get().budget == Decimal("9999999999999.99")
    assert answer.json()["budget"] == "9999999999999.99"
    assert login(client, agency).get("/workspace/").status_code == 200
    assert verify_chain().ok


@pytest.mark.django_db
@pytest.mark.parametrize(("given", "stored"), [
    (Decimal("-0"), "0.00"), (Decimal("-0.00"), "0.00"), (Decimal("1E+1"), "10.00"), (Decimal("10.5"), "10.50"),
    (Decimal("1.005"), "1.01"), (Decimal("1.015"), "1.02"), (Decimal("2.675"), "2.68"),
])
def test_a_row_written_around_the_parser_is_digested_as_the_database_stores_it(given, stored):
    """The admin, a command or a computed value reach the model without the request parser: the model base
    stores, and digests, what the database will give back, so the chain holds on both databases."""
    agency = factories.agency_user()
    with context.acting(agency):
        project = Project.objects.create(
            code="CG-2026-0901", type="procurement", title="绕过解析器", agency_id=agency.organisation_id,
            created_by=agency, budget=given, registration_deadline=clock.now() + dt.timedelta(days=7))

    project.refresh_from_db()
    assert str(project.budget) == stored
    assert verify_chain().ok


@pytest.mark.django_db
def test_a_value_neither_database_stores_exactly_is_refused_by_the_model_naming_the_field():
    agency = factories.agency_user()
    before = LedgerEntry.objects.count()

    with pytest.raises(ValidationError) as error, context.acting(agency):
        Project.objects.create(
            code="CG-2026-0902", type="procurement", title="十六位", agency_id=agency.organisation_id,
            created_by=agency, budget=Decimal("98765432109876.53"),
            registration_deadline=clock.now() + dt.timedelta(days=7))

    assert "budget" in error.value.message_dict
    assert LedgerEntry.objects.count() == before


@pytest.mark.django_db
def test_an_amount_copied_grouped_from_a_page_is_accepted_by_the_api_and_the_form(api, client):
    agency = factories.agency_user()
    login(api, agency)

    answer = _post_project(api, "2,000,001.00")

    assert answer.status_code == 201, answer.json()
    assert answer.json()["budget"] == "2000001.00"
    page = login(client, agency).post("/workspace/new/", {
        "type": "procurement", "title": "办公家具采购", "budget": "1,234,567.80", "ceiling_price": "1,200,000",
        "registration_deadline": (clock.now() + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        "qualification_grade": "0"})
    assert page.status_code == 302
    assert Project.objects.get(title="办公家具采购").ceiling_price == Decimal("1200000.00")
    assert verify_chain().ok


@pytest.mark.django_db
def test_a_misplaced_comma_is_refused_on_the_form_naming_the_field_and_nothing_is_written(client):
    login(client, factories.agency_user())
    before = LedgerEntry.objects.count()

    page = client.post("/workspace/new/", {
        "type": "procurement", "title": "办公家具采购", "budget": "1,00",
        "registration_deadline": (clock.now() + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        "qualification_grade": "0"})

    assert page.status_code == 400 and "千位分隔符须每三位一组" in page.content.decode()
    assert not Project.objects.exists() and LedgerEntry.objects.count() == before
