"""Cost of a draw against the physical limit: for 10, 1,000 and 100,000 candidates, the time of the draw (seed +
ranking), of building the proof and of verifying it, each divided by the time hashlib needs for the bare
HMAC-SHA256 of the same identifiers (already encoded), measured in the same run. Goal: every phase within 3x of that.

    .venv/bin/python bench/draw.py [--sizes 10,1000,100000]
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import hmac
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lottery import engine  # noqa: E402 - after the path set-up
from lottery.verify import verify_proof  # noqa: E402

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
GOAL = 3.0
_IPAD, _OPAD = bytes(x ^ 0x36 for x in range(256)), bytes(x ^ 0x5C for x in range(256))


def best_times(phases: dict[str, Callable[[], object]], budget: float = 0.2, rounds: int = 15) -> dict[str, float]:
    """Seconds per call of each phase, best of `rounds`. The phases take turns inside every round, so a slow
    moment of a shared machine hits all of them alike; calls are batched until a batch is measurable."""
    loops = {}
    for name, work in phases.items():
        loops[name] = 1
        while True:
            started = time.perf_counter()
            for _ in range(loops[name]):
                work()
            if time.perf_counter() - started > budget / rounds or loops[name] >= 1 << 20:
                break
            loops[name] *= 4
    best = dict.fromkeys(phases, float("inf"))
    for _ in range(rounds):
        for name, work in phases.items():
            started = time.perf_counter()
            for _ in range(loops[name]):
                work()
            best[name] = min(best[name], (time.perf_counter() - started) / loops[name])
    return best


def raw_hmac_digest(key: bytes, messages: list[bytes]) -> list[bytes]:
    digest = hmac.digest
    return [digest(key, m, "sha256") for m in messages]


def raw_hmac_pads(key: bytes, messages: list[bytes]) -> list[bytes]:
    """Textbook HMAC on hashlib with the padded states hashed once: the fastest pure-hashlib HMAC we know."""
    block = key.ljust(64, b"\0")
    inner = hashlib.sha256(block.translate(_IPAD))
    outer = hashlib.sha256(block.translate(_OPAD))
    out = []
    for m in messages:
        h = inner.copy()
        h.update(m)
        o = outer.copy()
        o.update(h.digest())
        out.append(o.digest())
    return out


def measure(size: int, rng: random.Random) -> dict[str, float]:
    ids = list({"".join(rng.choice(USCC_CHARS) for _ in range(18)) for _ in range(size * 2)})[:size]
    rng.shuffle(ids)
    secret = rng.randbytes(32)
    inputs = [{"source": "监督员甲", "value": "4711"}, {"source": "监督员乙", "value": "0815"}]
    commit, digest = engine.commitment(secret), engine.candidates_digest(ids)
    seed = engine.compute_seed(project="GJ-FPS-BENCH", commitment=commit, candidates_digest=digest,
                               public_inputs=inputs, secret_hex=secret.hex())
    key, encoded = bytes.fromhex(seed), [i.encode("utf-8") for i in ids]
    assert raw_hmac_pads(key, encoded) == raw_hmac_digest(key, encoded)

    def draw() -> list[str]:
        s = engine.compute_seed(project="GJ-FPS-BENCH", commitment=commit, candidates_digest=digest,
                                public_inputs=inputs, secret_hex=secret.hex())
        return engine.rank(s, ids)

    def build() -> dict:
        return engine.build_proof(project="GJ-FPS-BENCH", secret=secret, candidates=ids, public_inputs=inputs,
                                  selected=1)

    proof = build()
    assert verify_proof(proof, commit, digest) == []
    gc.disable()  # collections triggered by other phases' garbage would land on whichever phase runs next
    try:
        times = best_times({
            "hmac.digest": lambda: raw_hmac_digest(key, encoded),
            "hashlib pads": lambda: raw_hmac_pads(key, encoded),
            "draw": draw,
            "proof": build,
            "verify": lambda: verify_proof(proof, commit, digest),
        })
    finally:
        gc.enable()
    times["raw"] = min(times["hmac.digest"], times["hashlib pads"])
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,1000,100000")
    sizes = [int(s) for s in parser.parse_args().sizes.split(",")]
    rng = random.Random(2025)
    print(f"Python {sys.version.split()[0]}, {hashlib.sha256().name} from OpenSSL "
          f"{__import__('ssl').OPENSSL_VERSION.split()[1]}; raw = the faster of the two HMAC columns")
    print(f"{'candidates':>10} {'hmac.digest':>12} {'hashlib pads':>12} {'draw':>17} {'proof':>17} {'verify':>17}")
    worst = 0.0
    for size in sizes:
        t = measure(size, rng)
        cells = []
        for phase in ("draw", "proof", "verify"):
            ratio = t[phase] / t["raw"]
            worst = max(worst, ratio) if size >= 1000 else worst
            cells.append(f"{_ms(t[phase])} {ratio:4.2f}x")
        print(f"{size:>10,} {_ms(t['hmac.digest']):>12} {_ms(t['hashlib pads']):>12} "
              + " ".join(f"{c:>17}" for c in cells))
    verdict = "holds" if worst <= GOAL else "MISSED"
    print(f"worst ratio at 1,000 candidates or more: {worst:.2f}x (goal {GOAL:.0f}x: {verdict})")
    return 0 if worst <= GOAL else 1


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.3f} ms"


if __name__ == "__main__":
    sys.exit(main())
