"""Who may file a complaint, and how many: a complaint freezes the award and puts the project's video on legal
hold, so only the project's parties have standing (an enterprise that registered or bid, the tenderer; 招标投标法
§65), and one party's complaints on one project are limited (COMPLAINT_MAX_OPEN open at once,
COMPLAINT_MAX_PER_DAY in 24 hours). The API and the page go through the same service, so the same answers."""

import datetime as dt

import pytest
from django.test import Client

from audit.models import LedgerEntry
from core import clock, context
from core.roles import Role
from tests import factories
from trading.models import Complaint, Organisation, Project, Registration, User
from trading.services.aftercare import complaint_resolve

pytestmark = pytest.mark.django_db

NO_STANDING = "只有本项目的当事人"


def registrant(project) -> User:
    """The account of an enterprise registered for the project."""
    registration = Registration.objects.filter(project=project).order_by("pk").first()
    return User.objects.filter(organisation=registration.enterprise).first()


def page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def complain_api(api, user, project, text="中选企业资质存疑"):
    api.force_login(user)
    return api.post(f"/api/projects/{project.code}/complaints", {"text": text}, format="json")


def complain_page(user, project, text="中选企业资质存疑"):
    return page(user).post(f"/projects/{project.code}/complaint/", {"text": text})


def outsiders(project) -> dict[str, User]:
    return {"expert": factories.user(Role.EXPERT), "unrelated enterprise": factories.enterprise_with_licences()[1],
            "supervisor": factories.user(Role.SUPERVISOR), "inspector": factories.user(Role.INSPECTOR),
            "admin": factories.user(Role.ADMIN), "the project's own agency": project.created_by}


def test_accounts_without_standing_are_refused_with_403_and_the_project_is_not_held(api, drawn_project):
    for who, user in outsiders(drawn_project).items():
        by_api = complain_api(api, user, drawn_project)
        by_page = complain_page(user, drawn_project)

        assert by_api.status_code == 403, who
        assert NO_STANDING in by_api.json()["detail"], who
        assert by_page.status_code == 403 and NO_STANDING in by_page.content.decode(), who

    assert not Project.objects.get(pk=drawn_project.pk).legal_hold
    assert not Complaint.objects.exists()
    denied = [e.data["path"] for e in LedgerEntry.objects.filter(action="access_denied")]
    assert len([path for path in denied if "complaint" in path]) == 2 * len(outsiders(drawn_project))  # all logged


def test_the_page_offers_the_complaint_form_only_to_parties(drawn_project):
    url = f"/projects/{drawn_project.code}/"
    assert 'name="text"' in page(registrant(drawn_project)).get(url).content.decode()
    other = page(factories.user(Role.EXPERT)).get(url).content.decode()
    assert 'name="text"' not in other and NO_STANDING in other


def test_a_registered_enterprise_complains_and_puts_the_project_on_hold(api, drawn_project):
    answer = complain_api(api, registrant(drawn_project), drawn_project)

    assert answer.status_code == 201, answer.json()
    assert Project.objects.get(pk=drawn_project.pk).legal_hold
    [complaint] = Complaint.objects.all()
    assert complaint.complainant == registrant(drawn_project)


def test_a_registered_enterprise_complains_through_the_page(drawn_project):
    assert complain_page(registrant(drawn_project), drawn_project).status_code == 302
    assert Project.objects.get(pk=drawn_project.pk).legal_hold


def test_the_tenderer_a_bidder_and_a_potential_bidder_of_a_procurement_project_have_standing(api):
    from tests.evaluation.builders import bidder, procurement, submit

    project = procurement()
    tenderer = factories.user(Role.AGENCY, organisation=project.tenderer)
    bidding = bidder("投标企业甲")
    submit(project, bidding, "900000.00")

    assert complain_api(api, tenderer, project).status_code == 201
    assert complain_api(api, bidding, project).status_code == 201
    # before the deadline any enterprise is a potential bidder with standing (条例 art. 22)
    assert complain_api(api, bidder("未投标企业"), project).status_code == 201


def test_a_bidder_and_a_potential_bidder_of_an_auction_have_standing(api):
    from decimal import Decimal

    from evaluation.services import auctions
    from trading.services.projects import project_create, project_publish

    agency = factories.agency_user()
    project = project_create(actor=agency, data={
        "type": "land_auction", "title": "城北地块拍卖", "budget": Decimal("5000000.00"),
        "registration_deadline": clock.now() + dt.timedelta(days=7)})
    project = project_publish(actor=agency, project=project)
    auction = auctions.auction_setup(actor=agency, project=project, starting_price="5000000", increment="100000")
    registered = factories.enterprise_with_licences("竞买企业")
    auctions.auction_register(actor=agency, auction=auction, bidder=registered[0], number="01")

    assert complain_api(api, registered[1], project).status_code == 201
    assert complain_api(api, factories.enterprise_with_licences()[1], project).status_code == 201  # potential bidder


def test_a_party_may_have_at_most_the_configured_open_complaints(api, drawn_project, settings):
    settings.COMPLAINT_MAX_OPEN, settings.COMPLAINT_MAX_PER_DAY = 2, 10
    party = registrant(drawn_project)
    colleague = User.objects.create_user(username="colleague", role=Role.ENTERPRISE, organisation=party.organisation)
    first = complain_api(api, party, drawn_project).json()
    assert complain_api(api, colleague, drawn_project).status_code == 201

    refused = complain_api(api, party, drawn_project)
    by_page = complain_page(colleague, drawn_project)

    assert refused.status_code == 409 and "2 件未办结" in refused.json()["detail"]
    assert by_page.status_code == 409 and "2 件未办结" in by_page.content.decode()
    assert Complaint.objects.count() == 2
    complaint_resolve(actor=drawn_project.created_by, complaint=Complaint.objects.get(pk=first["id"]),
                      answer="经核查，资质合格", outcome="rejected")
    assert complain_api(api, party, drawn_project).status_code == 201


def test_a_party_may_file_at_most_the_configured_complaints_a_day(api, drawn_project, settings):
    settings.COMPLAINT_MAX_OPEN, settings.COMPLAINT_MAX_PER_DAY = 10, 3
    party = registrant(drawn_project)
    for n in range(3):
        opened = complain_api(api, party, drawn_project, text=f"质疑{n}").json()
        complaint_resolve(actor=drawn_project.created_by, complaint=Complaint.objects.get(pk=opened["id"]),
                          answer="已答复", outcome="rejected")

    refused = complain_api(api, party, drawn_project)
    by_page = complain_page(party, drawn_project)

    assert refused.status_code == 429 and "24 小时内最多 3 件" in refused.json()["detail"]
    assert 0 < int(refused["Retry-After"]) <= 24 * 3600
    assert by_page.status_code == 429 and "24 小时内最多 3 件" in by_page.content.decode()
    assert Complaint.objects.count() == 3
    other_party = User.objects.filter(organisation=Registration.objects.filter(project=drawn_project).exclude(
        enterprise=party.organisation).first().enterprise).first()
    assert complain_api(api, other_party, drawn_project).status_code == 201  # the limit is per party
    with clock.travel(dt.timedelta(hours=24, minutes=1)):
        assert complain_api(api, party, drawn_project).status_code == 201


def test_a_deactivated_party_account_cannot_complain(api, drawn_project):
    party = registrant(drawn_project)
    with context.acting(drawn_project.created_by):
        party.is_active = False
        party.save()
    api.force_authenticate(user=party)
    answer = api.post(f"/api/projects/{drawn_project.code}/complaints", {"text": "质疑"}, format="json")
    assert answer.status_code == 403 and not Project.objects.get(pk=drawn_project.pk).legal_hold


def test_the_tenderer_of_another_project_has_no_standing(api, drawn_project):
    elsewhere = factories.organisation(kind=Organisation.Kind.TENDERER)
    assert complain_api(api, factories.user(Role.AGENCY, organisation=elsewhere), drawn_project).status_code == 403
