"""bidfile-v1 crypto in Python: a sealed bid file round-trips and refuses what it must. The browser's half
interoperating with it: tests/browser/test_bidfile_interop.py."""

import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from evaluation import bidfile

PDF = b"%PDF-1.4\n% test\n%%EOF\n"


def _keys(n=3):
    return [ec.generate_private_key(ec.SECP256R1()) for _ in range(n)]


def test_a_sealed_bid_file_opens_with_any_two_of_three_shares_and_only_in_its_context():
    keys = _keys()
    sealed = bidfile.seal_bid_file(project="CG-1", round_no=1, bidder="B", schedule={"price": "10.00"}, pdf=PDF,
                                   holders=[k.public_key() for k in keys], threshold=2)
    assert hashlib.sha256(sealed.ciphertext).hexdigest() == sealed.ciphertext_sha256
    values = {}
    for key, share in zip(keys, sealed.shares, strict=True):
        aad = bidfile.share_aad("CG-1", 1, "B", share.position, bidfile.key_fingerprint(key.public_key()))
        values[share.position] = bidfile.unwrap_share(key, share, aad)
        assert bidfile.share_digest(share.position, values[share.position]) == share.digest
    for pair in ((1, 2), (1, 3), (2, 3)):
        content_key = bidfile.combine_key([(p, values[p]) for p in pair], sealed.key_commitment)
        plain = bidfile.decrypt_content(content_key, sealed.ciphertext, bidfile.content_aad("CG-1", 1, "B"))
        assert bidfile.unpackage(plain) == ({"price": "10.00"}, PDF)
    with pytest.raises(bidfile.BidFileError):
        bidfile.decrypt_content(content_key, sealed.ciphertext, bidfile.content_aad("CG-2", 1, "B"))
    with pytest.raises(bidfile.BidFileError, match="committed"):
        bidfile.combine_key([(1, values[1]), (2, values[3])], sealed.key_commitment)
    with pytest.raises(bidfile.BidFileError):  # a share opens only for its holder, in its context
        bidfile.unwrap_share(keys[1], sealed.shares[0], b"x")


def test_a_public_jwk_round_trips_and_a_point_off_the_curve_is_refused():
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    assert bidfile.key_fingerprint(bidfile.public_key_from_jwk(bidfile.public_jwk(key))) == bidfile.key_fingerprint(key)
    bad = {**bidfile.public_jwk(key), "y": bidfile.public_jwk(key)["x"]}
    with pytest.raises(bidfile.BidFileError):
        bidfile.public_key_from_jwk(bad)
