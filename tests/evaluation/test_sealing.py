import hashlib
from dataclasses import replace

import pytest

from evaluation.sealing import (
    SealedBlob,
    SealError,
    Share,
    ShareError,
    combine,
    gf_mul,
    new_opening_key,
    receipt_matches,
    recover_secret,
    seal,
    split_secret,
    unseal,
)

AAD = b"project GC-2025-017 round 1 / bidder 91350100M000100Y43"
BID = b'{"price": "1185000.00", "period_days": 120}'


@pytest.fixture(scope="module")
def opening_key():
    return new_opening_key(5, 3)


def _flip(data: bytes, position: int) -> bytes:
    return data[:position] + bytes([data[position] ^ 0x01]) + data[position + 1 :]


def test_gf256_multiplication_matches_the_aes_standard():
    # FIPS-197 §4.2: {57} • {83} = {c1} and {57} • {13} = {fe}.
    assert gf_mul(0x57, 0x83) == 0xC1
    assert gf_mul(0x57, 0x13) == 0xFE


def test_any_k_of_n_shamir_shares_recover_the_secret():
    secret = bytes(range(32))
    points = split_secret(secret, n=5, k=3)

    assert recover_secret([points[0], points[2], points[4]]) == secret
    assert recover_secret([points[3], points[1], points[0]]) == secret
    assert recover_secret(points) == secret


def test_fewer_than_k_shamir_shares_do_not_recover_the_secret():
    secret = bytes(range(32))
    points = split_secret(secret, n=5, k=3)

    assert recover_secret(points[:2]) != secret
    assert points[0][1] != secret  # no share is the secret itself


@pytest.mark.parametrize(("n", "k"), [(5, 1), (3, 4), (256, 3)])
def test_impossible_thresholds_are_refused(n, k):
    with pytest.raises(ValueError, match="need 2 <= k <= n <= 255"):
        split_secret(b"x" * 32, n=n, k=k)


def test_a_sealed_bid_opens_with_k_shares_after_storage_round_trip(opening_key):
    public, shares = opening_key
    stored = seal(public, BID, aad=AAD).to_bytes()

    private_key = combine([shares[4], shares[0], shares[2]])

    assert unseal(private_key, SealedBlob.from_bytes(stored), aad=AAD) == BID


def test_too_few_shares_are_refused(opening_key):
    _, shares = opening_key

    with pytest.raises(ShareError, match="2 shares presented, 3 needed"):
        combine(shares[:2])


def test_too_few_shares_claiming_a_lower_threshold_do_not_rebuild_the_key(opening_key):
    _, shares = opening_key
    forged = [replace(share, threshold=2) for share in shares[:2]]

    with pytest.raises(ShareError, match="do not rebuild the opening key"):
        combine(forged)


def test_an_altered_share_is_detected(opening_key):
    _, shares = opening_key
    altered = replace(shares[1], value=_flip(shares[1].value, 7))

    with pytest.raises(ShareError, match="do not rebuild the opening key"):
        combine([shares[0], altered, shares[2]])


def test_shares_of_different_opening_keys_are_refused(opening_key):
    _, shares = opening_key
    _, other = new_opening_key(5, 3)

    with pytest.raises(ShareError, match="different opening keys"):
        combine([shares[0], shares[1], other[2]])


def test_another_rounds_key_does_not_open_the_bid(opening_key):
    public, _ = opening_key
    _, other_shares = new_opening_key(3, 2)
    blob = seal(public, BID, aad=AAD)

    with pytest.raises(SealError, match="does not open"):
        unseal(combine(other_shares[:2]), blob, aad=AAD)


@pytest.mark.parametrize("part", ["ciphertext", "wrapped_key", "nonce", "ephemeral_public"])
def test_a_tampered_blob_does_not_open(opening_key, part):
    public, shares = opening_key
    blob = seal(public, BID, aad=AAD)
    tampered = replace(blob, **{part: _flip(getattr(blob, part), 3)})

    with pytest.raises(SealError, match="altered"):
        unseal(combine(shares[:3]), tampered, aad=AAD)


def test_a_blob_moved_to_another_bidder_does_not_open(opening_key):
    public, shares = opening_key
    blob = seal(public, BID, aad=AAD)

    with pytest.raises(SealError, match="altered"):
        unseal(combine(shares[:3]), blob, aad=AAD.replace(b"43", b"44"))


def test_the_receipt_hashes_exactly_the_submitted_plaintext_and_the_stored_envelope(opening_key):
    public, shares = opening_key

    blob = seal(public, BID, aad=AAD)

    assert blob.receipt.plaintext_sha256 == hashlib.sha256(BID).hexdigest()
    assert blob.receipt.ciphertext_sha256 == hashlib.sha256(blob.to_bytes()).hexdigest()
    opened = unseal(combine(shares[:3]), blob, aad=AAD)
    assert receipt_matches(blob.receipt, opened, blob)
    assert not receipt_matches(blob.receipt, BID + b" ", blob)


def test_the_stored_envelope_holds_neither_the_bid_nor_its_hash(opening_key):
    public, _ = opening_key

    blob = seal(public, BID, aad=AAD)
    stored = blob.to_bytes()

    assert b"1185000.00" not in stored
    assert hashlib.sha256(BID).digest() not in stored
    assert hashlib.sha256(BID).hexdigest().encode() not in stored


def test_the_same_bid_sealed_twice_gives_different_ciphertexts(opening_key):
    public, _ = opening_key

    first, second = seal(public, BID, aad=AAD), seal(public, BID, aad=AAD)

    assert first.to_bytes() != second.to_bytes()
    assert first.receipt.plaintext_sha256 == second.receipt.plaintext_sha256


def test_a_truncated_or_foreign_blob_is_refused():
    with pytest.raises(SealError, match="truncated"):
        SealedBlob.from_bytes(b"seal-v1")
    with pytest.raises(SealError, match="unknown sealing scheme"):
        SealedBlob.from_bytes(b"seal-v9" + bytes(100))


def test_a_share_survives_its_text_form(opening_key):
    _, shares = opening_key

    assert Share.decode(shares[3].encode()) == shares[3]
    with pytest.raises(ShareError, match="not a seal-v1 share"):
        Share.decode("hello")
