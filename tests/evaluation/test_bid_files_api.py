"""Bid files through the API (DESIGN §5 shapes): the agency picks the mode, supervisors register keys, bidders
upload ciphertext (multipart), holders fetch and post shares, the live state, the record with its ceremony, a
bidder's confirmation; refusals answer 400/403/409 with a Chinese detail and change nothing."""

import base64
import io
import json

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from core.roles import Role
from evaluation import bidfile
from evaluation.models import Bid, OpeningShare
from tests import factories
from tests.evaluation import builders

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _short_registration(settings):
    settings.REGISTRATION_MIN_DAYS = 1


def _as(api, user):
    api.force_login(user)
    return api


def test_a_remote_opening_through_the_api(api):
    project = builders.procurement()
    code = project.code
    answer = _as(api, project.created_by).put(f"/api/projects/{code}/bids/mode", {"mode": "bidder"}, format="json")
    assert answer.status_code == 200 and answer.json()["mode"] == "bidder"
    builders.opening_session(project)
    enterprise = builders.bidder()
    refused = _as(api, enterprise).post(f"/api/projects/{code}/opening-keys", {"public_jwk": {}}, format="json")
    assert refused.status_code == 403 and "现场监督" in refused.json()["detail"]
    holders = []
    for _n in range(3):
        supervisor, private = factories.user(Role.SUPERVISOR), ec.generate_private_key(ec.SECP256R1())
        answer = _as(api, supervisor).post(f"/api/projects/{code}/opening-keys",
                                           {"public_jwk": bidfile.public_jwk(private.public_key())}, format="json")
        assert answer.status_code == 201, answer.json()
        holders.append((supervisor, private))
    assert [k["position"] for k in api.get(f"/api/projects/{code}/bids/mode").json()["keys"]] == [1, 2, 3]

    users = [builders.bidder() for _ in range(3)]
    for user, price in zip(users, ("900000.00", "910000.00", "920000.00"), strict=True):
        sealed = builders.seal_file(project, user, price)
        form = {**builders.envelope(sealed), "ciphertext": io.BytesIO(sealed.ciphertext)}
        form["shares"] = json.dumps(form["shares"])
        answer = _as(api, user).post(f"/api/projects/{code}/bid-files", form, format="multipart")
        assert answer.status_code == 201, answer.json()
        assert answer.json()["receipt"]["ciphertext_sha256"] == sealed.ciphertext_sha256
    again = _as(api, users[2]).post(f"/api/projects/{code}/bid-files", {
        **builders.envelope(sealed), "ciphertext": base64.b64encode(sealed.ciphertext).decode()},
        format="json")
    assert again.status_code == 409 and "不能重复使用" in again.json()["detail"]

    with builders.at_opening():
        assert _as(api, project.created_by).post(f"/api/projects/{code}/bids/close").status_code == 200
        shares = builders.decrypted_shares(project, *holders[0])
        wrong = [{**shares[0], "share": "11" * 32}]
        answer = _as(api, holders[0][0]).post(f"/api/projects/{code}/opening/shares", {"shares": wrong}, format="json")
        assert answer.status_code == 400 and "承诺的摘要不符" in answer.json()["detail"]
        assert not OpeningShare.objects.exists()
        for supervisor, private in holders[:2]:
            listing = _as(api, supervisor).get(f"/api/projects/{code}/opening/shares").json()
            assert len(listing["items"]) == 3
            answer = api.post(f"/api/projects/{code}/opening/shares",
                              {"shares": builders.decrypted_shares(project, supervisor, private)}, format="json")
            assert answer.status_code == 200
        assert answer.json()["count"] == 3
        live = _as(api, users[0]).get(f"/api/projects/{code}/opening/live").json()
        assert [b["price"] for b in live["bids"]] == ["900000.00", "910000.00", "920000.00"]
        assert _as(api, project.created_by).post(f"/api/projects/{code}/opening").status_code == 200
    record = api.get(f"/api/projects/{code}/opening").json()
    digest = record["ceremony"]["record_sha256"]
    answer = _as(api, users[0]).post(f"/api/projects/{code}/opening/confirmations", {"record_sha256": digest},
                                     format="json")
    assert answer.status_code == 201
    assert api.get(f"/api/projects/{code}/opening/confirmations").json()["count"] == 1
    assert Bid.objects.filter(valid=True).count() == 3


def test_shares_before_the_opening_time_answer_409_and_a_stranger_403(api):
    project, users, keys = builders.bid_files_project()
    with builders.at_opening():
        _as(api, project.created_by).post(f"/api/projects/{project.code}/bids/close")
        shares = builders.decrypted_shares(project, *keys[0])
    answer = _as(api, keys[0][0]).post(f"/api/projects/{project.code}/opening/shares", {"shares": shares},
                                       format="json")
    assert answer.status_code == 409 and "未到开标时间" in answer.json()["detail"]
    answer = _as(api, factories.user(Role.SUPERVISOR)).get(f"/api/projects/{project.code}/opening/shares")
    assert answer.status_code == 403
    assert not OpeningShare.objects.exists()


def test_the_live_page_streams_the_ceremony_as_server_sent_events(client):
    project, users, keys = builders.bid_files_project()
    with builders.at_opening():
        builders.bid_services.bids_close(actor=project.created_by, project=project)
        builders.opening.opening_shares_post(actor=keys[0][0], project=project,
                                             shares=builders.decrypted_shares(project, *keys[0]))
        client.force_login(factories.user(Role.EXPERT))
        assert client.get(f"/evaluation/{project.code}/opening/events").status_code == 403
        client.force_login(users[0])
        response = client.get(f"/evaluation/{project.code}/opening/events")
        assert response["Content-Type"].startswith("text/event-stream")
        chunks = iter(response.streaming_content)
        assert next(chunks) == b"retry: 2000\n\n"
        event = next(chunks).decode()  # not read to its end: the stream would poll on for its 20 s
    assert event.startswith("data: ")
    state = json.loads(event[len("data: "):])
    assert state["state"] == "opening" and [b["shares"] for b in state["bids"]] == [[1], [1], [1]]
