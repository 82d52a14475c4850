"""Cost of the archive's PDF layout: a ~200-page evaluation report (platypus tables split across pages, CJK
wrapping, page X of Y, embedded subset font) in pages per second, against reportlab's own floor measured in the
same run — a bare canvas drawing the same rows of text with drawString, one page per page of the report, in
the same embedded font — and the ratio of the two.

    .venv/bin/python bench/archive.py [--bidders 1150] [--repeat 3]
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from archive.pdf import build_evaluation_report, samples  # noqa: E402
from archive.pdf.fonts import cjk_font  # noqa: E402


def page_count(content: bytes) -> int:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(content)
        file.flush()
        info = subprocess.run(["pdfinfo", file.name], check=True, capture_output=True, text=True).stdout
    return int(next(line.split()[1] for line in info.splitlines() if line.startswith("Pages:")))


def canvas_floor(lines: list[str], pages: int) -> bytes:
    """The same text on the same number of pages, drawn line by line with no layout at all."""
    font, per_page = cjk_font().name, -(-len(lines) // pages)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1)
    for page in range(pages):
        canvas.setFont(font, 9)
        for row, line in enumerate(lines[page * per_page : (page + 1) * per_page]):
            canvas.drawString(50, 800 - 18 * row, line)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def best_of(repeat: int, work) -> tuple[float, bytes]:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        timings.append(time.perf_counter() - start)
    return min(timings), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bidders", type=int, default=1150, help="5 score rows each; 1150 gives ~200 pages")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    data = samples.evaluation_report(bidders=args.bidders)
    build_evaluation_report(samples.evaluation_report(bidders=2))  # font registration outside the timing
    seconds, report = best_of(args.repeat, lambda: build_evaluation_report(data))
    pages = page_count(report)
    lines = [" ".join(str(v) for v in (s["bidder"], s["expert"], *s["values"].values(), s["subtotal"]))
             for s in data["scores"]]
    lines += [f"{r['rank']} {r['bidder']} {r['price']} {r['total']}" for r in data["ranking"]]
    floor_seconds, _ = best_of(args.repeat, lambda: canvas_floor(lines, pages))

    report_rate, floor_rate = pages / seconds, pages / floor_seconds
    print(f"evaluation report: {pages} pages, {len(report) / 1e6:.1f} MB, {seconds:.2f} s, "
          f"{report_rate:.0f} pages/s (best of {args.repeat})")
    print(f"canvas drawString floor: {pages} pages, same {len(lines)} lines, {floor_seconds:.2f} s, "
          f"{floor_rate:.0f} pages/s")
    print(f"ratio: the record layout runs at {report_rate / floor_rate:.2f}x the bare canvas rate "
          f"({floor_rate / report_rate:.1f}x slower)")


if __name__ == "__main__":
    main()
