"""bidfile-v1 across the browser and the server: static/js/bidfile.js, run in Chromium, interoperates with
evaluation/bidfile.py — the JS Shamir split against the Python combine and the other way round, ECDH share wrapping
browser→Python and Python→browser, a whole bid sealed in the browser opened in Python."""

import base64
import hashlib
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from evaluation import bidfile
from evaluation.sealing import recover_secret, split_secret

pytestmark = pytest.mark.browser
PDF = b"%PDF-1.4\n% test\n%%EOF\n"
JS = Path(__file__).resolve().parents[2] / "static" / "js" / "bidfile.js"


def _keys(n=3):
    return [ec.generate_private_key(ec.SECP256R1()) for _ in range(n)]


@pytest.fixture(scope="module")
def js_page(browser):
    context = browser.new_context()
    js_page = context.new_page()
    # a secure context (Web Crypto needs one) without a server: localhost answered by the test itself
    js_page.route("http://localhost/**", lambda route: route.fulfill(body="<html></html>", content_type="text/html"))
    js_page.goto("http://localhost/crypto")
    js_page.add_script_tag(path=str(JS))
    yield js_page
    context.close()


def test_the_js_shamir_split_combines_in_python_and_the_python_split_in_js(js_page):
    secret = bytes(range(32))
    points = js_page.evaluate("""(s) => BidFile.split(BidFile.unhex(s), 5, 3).map(([x, y]) => [x, BidFile.hex(y)])""",
                           secret.hex())
    points = [(x, bytes.fromhex(y)) for x, y in points]
    for subset in (points[:3], points[2:], [points[0], points[2], points[4]]):
        assert recover_secret(subset) == secret
    assert recover_secret(points[:2]) != secret
    python_points = split_secret(secret, 4, 2)
    combined = js_page.evaluate("""(ps) => BidFile.hex(BidFile.combine(ps.map(([x, y]) => [x, BidFile.unhex(y)])))""",
                             [[x, y.hex()] for x, y in python_points[1:3]])
    assert combined == secret.hex()


def test_shares_wrapped_in_the_browser_unwrap_in_python_and_back(js_page):
    holder = ec.generate_private_key(ec.SECP256R1())
    jwk, aad, value = bidfile.public_jwk(holder.public_key()), "ctx|1", bytes(range(100, 132))
    wrapped = js_page.evaluate("""([jwk, v, aad]) => BidFile.wrapShare(jwk, 2, BidFile.unhex(v), aad)""",
                            [jwk, value.hex(), aad])
    share = bidfile.WrappedShare.from_json(wrapped)
    assert bidfile.unwrap_share(holder, share, aad.encode()) == value
    assert share.digest == bidfile.share_digest(2, value)

    browser_key = js_page.evaluate("() => BidFile.generateHolderKey()")
    public = bidfile.public_key_from_jwk(browser_key["publicJwk"])
    assert bidfile.key_fingerprint(public) == browser_key["fingerprint"]
    python_wrapped = bidfile.wrap_share(public, 1, value, aad.encode())
    unwrapped = js_page.evaluate("""async ([priv, w, aad]) => BidFile.hex(await BidFile.unwrapShare(priv, w, aad))""",
                              [browser_key["privateJwk"], python_wrapped.as_json(), aad])
    assert unwrapped == value.hex()


def test_a_bid_sealed_in_the_browser_opens_in_python(js_page):
    keys = _keys()
    holders = [{"position": i, "public_jwk": bidfile.public_jwk(k.public_key()),
                "fingerprint": bidfile.key_fingerprint(k.public_key())} for i, k in enumerate(keys, start=1)]
    sealed = js_page.evaluate("""async ([holders, pdf]) => {
        const s = await BidFile.sealBid({project: "CG-9", round: 1, bidder: "91350100M000100Y43",
          schedule: {price: "880000.00", duration: "90天", terms: "质保"}, pdf: BidFile.unhex(pdf), holders, threshold: 2});
        return {...s, ciphertext: btoa(String.fromCharCode(...s.ciphertext))};
    }""", [holders, PDF.hex()])
    blob = base64.b64decode(sealed["ciphertext"])
    assert hashlib.sha256(blob).hexdigest() == sealed["ciphertext_sha256"]
    assert sealed["context"] == bidfile.content_aad("CG-9", 1, "91350100M000100Y43").decode()
    points = []
    for key, share in zip(keys[1:], sealed["shares"][1:], strict=True):
        wrapped = bidfile.WrappedShare.from_json(share)
        aad = bidfile.share_aad("CG-9", 1, "91350100M000100Y43", wrapped.position,
                                bidfile.key_fingerprint(key.public_key()))
        points.append((wrapped.position, bidfile.unwrap_share(key, wrapped, aad)))
    content_key = bidfile.combine_key(points, sealed["key_commitment"])
    schedule, pdf = bidfile.unpackage(bidfile.decrypt_content(content_key, blob, sealed["context"].encode()))
    assert schedule == {"price": "880000.00", "duration": "90天", "terms": "质保"} and pdf == PDF
