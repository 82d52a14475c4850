"""Cost of a bid file sealed at the bidder (bidfile-v1): sealing a PDF of --mb MiB in Chromium (static/js/bidfile.js:
AES-256-GCM of the package, Shamir split, three ECDH-wrapped shares) against the browser's own floor measured in
the same run — AES-256-GCM of the same bytes alone — and opening it in Python (combine, commitment, SHA-256 of the
ciphertext, decryption) against hashlib's SHA-256 of the same bytes. Prints the ratios.

    .venv/bin/python bench/bidfile.py [--mb 20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402

from evaluation import bidfile  # noqa: E402

SEAL = """async ([holders, mb]) => {
  const pdf = new Uint8Array(mb * 1024 * 1024); pdf.set(new TextEncoder().encode("%PDF-1.4"));
  const key = await crypto.subtle.importKey("raw", new Uint8Array(32), "AES-GCM", false, ["encrypt"]);
  let t = performance.now();
  await crypto.subtle.encrypt({name: "AES-GCM", iv: new Uint8Array(12)}, key, pdf);
  const floor = performance.now() - t;
  t = performance.now();
  const s = await BidFile.sealBid({project: "B", round: 1, bidder: "X", schedule: {price: "1.00"}, pdf, holders,
    threshold: 2});
  const seal = performance.now() - t;
  let bin = ""; const c = s.ciphertext;
  for (let i = 0; i < c.length; i += 32768) bin += String.fromCharCode.apply(null, c.subarray(i, i + 32768));
  return {floor, seal, sealed: {...s, ciphertext: btoa(bin)}};
}"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    keys = [ec.generate_private_key(ec.SECP256R1()) for _ in range(3)]
    holders = [{"position": i, "public_jwk": bidfile.public_jwk(k.public_key()),
                "fingerprint": bidfile.key_fingerprint(k.public_key())} for i, k in enumerate(keys, start=1)]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
                                             args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.route("http://localhost/**", lambda r: r.fulfill(body="<html></html>", content_type="text/html"))
        page.goto("http://localhost/bench")
        page.add_script_tag(path=str(ROOT / "static" / "js" / "bidfile.js"))
        for _ in range(args.repeat):
            result = page.evaluate(SEAL, [holders, args.mb])
            sealed = result["sealed"]
            blob = base64.b64decode(sealed["ciphertext"])
            t = time.perf_counter()
            hashlib.sha256(blob).hexdigest()
            floor = time.perf_counter() - t
            t = time.perf_counter()
            points = []
            for key, share in zip(keys[:2], sealed["shares"][:2], strict=True):
                wrapped = bidfile.WrappedShare.from_json(share)
                aad = bidfile.share_aad("B", 1, "X", wrapped.position, bidfile.key_fingerprint(key.public_key()))
                points.append((wrapped.position, bidfile.unwrap_share(key, wrapped, aad)))
            content_key = bidfile.combine_key(points, sealed["key_commitment"])
            assert hashlib.sha256(blob).hexdigest() == sealed["ciphertext_sha256"]
            bidfile.unpackage(bidfile.decrypt_content(content_key, blob, sealed["context"].encode()))
            opened = time.perf_counter() - t
            print(f"{args.mb} MiB: browser seal {result['seal']:.0f} ms vs AES-GCM alone {result['floor']:.0f} ms "
                  f"(x{result['seal'] / max(result['floor'], 0.001):.2f}); server open {opened * 1000:.0f} ms vs "
                  f"SHA-256 alone {floor * 1000:.0f} ms (x{opened / max(floor, 1e-6):.2f})")
        browser.close()


if __name__ == "__main__":
    main()
