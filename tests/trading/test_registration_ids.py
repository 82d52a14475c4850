"""A registration's id is the one an enterprise sees (API answers, the review form, the ledger after the deadline):
it must not be a counter that tells an enterprise how many registered before it (招标投标法 art. 22)."""

import pytest

from tests import factories
from trading.models import Registration

pytestmark = pytest.mark.django_db
JSON_SAFE = 2**53  # a JavaScript client reads every id below this exactly


def _register(api, project, user, n):
    api.force_login(user)
    answer = api.post(f"/api/projects/{project.code}/registrations", {
        "manager_name": f"经理{n}", "manager_certificate": f"ID-CERT-{n}", "acknowledge_notice": True}, format="json")
    assert answer.status_code == 201, answer.json()
    return answer.json()["id"]


def test_registrations_by_different_enterprises_do_not_get_consecutive_ids(api):
    project = factories.fixed_price_project()
    other = factories.fixed_price_project()
    users = [factories.enterprise_with_licences(f"编号企业{n}")[1] for n in range(4)]
    ids = [_register(api, project, user, n) for n, user in enumerate(users)]
    ids.append(_register(api, other, users[0], 9))
    assert len(set(ids)) == len(ids)
    gaps = [abs(a - b) for a in ids for b in ids if a != b]
    assert min(gaps) > 1_000_000, ids  # no counter, not even a shared one across projects
    assert all(2**32 <= i < JSON_SAFE for i in ids)
    assert sorted(Registration.objects.values_list("pk", flat=True)) == sorted(ids)
