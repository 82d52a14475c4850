"""PDF records read back the way people see them: text through pdftotext, fonts through pdffonts, the QR code
decoded from a rendering. The layer is pure: no database, no Django."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import subprocess
import sys
import warnings
from decimal import Decimal
from pathlib import Path

import cv2
import pytest

from archive import pdf
from archive.pdf import fonts, samples

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, content: bytes, name: str = "record.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def pdf_text(path: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(["pdftotext", *pages, str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def squeezed(value: str) -> str:
    return re.sub(r"\s+", "", value)


def page_count(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)[1])


BUILDERS = [
    (pdf.build_announcement, samples.announcement, "报名截止时间"),
    (pdf.build_registration_list, samples.registration_list, "不合格"),
    (pdf.build_draw_record, samples.draw_record, "1,795,000.00 元"),
    (pdf.build_bid_opening_record, samples.bid_opening_record, "投标报价超过最高投标限价"),
    (pdf.build_evaluation_report, samples.evaluation_report, "综合评估法"),
    (pdf.build_award_notice, samples.award_notice, "2025-11-19"),
    (pdf.build_attendance_sheet, samples.attendance_sheet, "本人签名"),
    (pdf.build_followup_report, samples.followup_report, "项目经理未按承诺到岗"),
]


@pytest.mark.parametrize(("build", "sample", "figure"), BUILDERS, ids=lambda v: getattr(v, "__name__", None))
def test_every_record_shows_the_project_title_code_and_its_key_figure(tmp_path, build, sample, figure):
    path = write(tmp_path, build(sample()))

    text = squeezed(pdf_text(path))

    assert squeezed(samples.PROJECT["title"]) in text
    assert samples.PROJECT["code"] in text
    assert squeezed(figure) in text


def test_draw_record_shows_fixed_price_inputs_commitment_seed_and_ranking(tmp_path):
    data = samples.draw_record()
    path = write(tmp_path, pdf.build_draw_record(data))

    text = squeezed(pdf_text(path))

    for expected in ("1,795,000.00元", "48213", "90017", data["proof"]["commitment"], data["proof"]["seed"],
                     data["proof"]["candidates_digest"], data["proof_sha256"], "中选", "备选第3位"):
        assert expected in text


@pytest.mark.parametrize("name", [name for _, name in samples.ENTERPRISES])
def test_rare_foreign_and_markup_characters_in_names_are_rendered_not_dropped(tmp_path, name):
    path = write(tmp_path, pdf.build_draw_record(samples.draw_record()))

    assert squeezed(name) in squeezed(pdf_text(path))


def test_long_table_numbers_every_page_and_repeats_its_header(tmp_path):
    path = write(tmp_path, pdf.build_evaluation_report(samples.evaluation_report(bidders=30)))
    total = page_count(path)

    pages = [squeezed(pdf_text(path, page)) for page in range(1, total + 1)]

    assert total >= 3
    assert all(f"第{n}页/共{total}页" in text for n, text in enumerate(pages, start=1))
    # the scores table's header, or the ranking table's (it runs onto a page of its own), repeated
    assert all("投标人专家" in text or "名次投标人投标报价" in text for text in pages[1:-1])
    assert all(samples.PROJECT["code"] in text for text in pages)


def test_content_digest_is_on_the_last_page_only(tmp_path):
    data = samples.evaluation_report(bidders=30)
    path = write(tmp_path, pdf.build_evaluation_report(data))
    total = page_count(path)

    pages = [squeezed(pdf_text(path, page)) for page in range(1, total + 1)]

    digest_line = f"内容摘要SHA-256:{pdf.content_digest(data)}"
    assert digest_line in pages[-1]
    assert not any("内容摘要" in text for text in pages[:-1])


def test_content_digest_is_sha256_of_sorted_compact_json_with_decimals_and_utc_times_as_text():
    data = {"b": Decimal("1795000.00"), "a": dt.datetime(2025, 10, 20, 18, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))),
            "名称": "王·李"}

    expected = '{"a":"2025-10-20T10:30:00+00:00","b":"1795000.00","名称":"王·李"}'

    assert pdf.canonical_json(data) == expected
    assert pdf.content_digest(data) == hashlib.sha256(expected.encode("utf-8")).hexdigest()


def test_same_data_builds_byte_identical_pdf():
    first = pdf.build_draw_record(samples.draw_record())
    second = pdf.build_draw_record(samples.draw_record())

    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()


def test_same_data_builds_byte_identical_pdf_in_another_process():
    script = ("import hashlib, sys; from archive.pdf import build_draw_record, samples; "
              "sys.stdout.write(hashlib.sha256(build_draw_record(samples.draw_record())).hexdigest())")

    other = subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, capture_output=True, text=True)

    assert other.stdout == hashlib.sha256(pdf.build_draw_record(samples.draw_record())).hexdigest()


def test_pdf_creation_date_is_the_records_own_date(tmp_path):
    path = write(tmp_path, pdf.build_award_notice(samples.award_notice()))

    info = subprocess.run(["pdfinfo", "-isodates", str(path)], check=True, capture_output=True, text=True).stdout

    assert re.search(r"^CreationDate:\s+2025-10-20T10:30:00\+08", info, re.MULTILINE)


def test_a_changed_figure_changes_the_bytes_and_the_digest():
    data = samples.award_notice()
    changed = {**data, "price": Decimal("1795000.01")}

    assert pdf.build_award_notice(data) != pdf.build_award_notice(changed)
    assert pdf.content_digest(data) != pdf.content_digest(changed)


def test_every_font_is_embedded_and_the_main_one_is_the_cjk_truetype(tmp_path):
    path = write(tmp_path, pdf.build_draw_record(samples.draw_record()))

    listing = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    rows = [line.split() for line in listing.splitlines()[2:]]

    assert any("WenQuanYi" in row[0] for row in rows)
    assert all(row[-5] == "yes" for row in rows), listing  # the "emb" column


def test_qr_code_decodes_to_the_verify_url(tmp_path):
    url = "https://jiaoyi.example.cn/lottery/GJ-FPS-2025-0217/verify?proof=9d9d"
    path = write(tmp_path, pdf.build_draw_record(samples.draw_record(verify_url=url)))
    last = page_count(path)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", str(last), "-l", str(last), str(path),
                    str(tmp_path / "page")], check=True)

    image = cv2.imread(str(next(tmp_path.glob("page*.png"))))
    decoded, _, _ = cv2.QRCodeDetector().detectAndDecode(image)

    assert decoded == url


def test_empty_list_prints_none_rather_than_an_empty_table(tmp_path):
    path = write(tmp_path, pdf.build_bid_opening_record({**samples.bid_opening_record(), "objections": []}))

    assert "（无）" in pdf_text(path)


def test_explicit_font_path_that_does_not_exist_is_an_error(monkeypatch):
    monkeypatch.delenv("PDF_FONT", raising=False)

    with pytest.raises(FileNotFoundError, match="/nowhere/font.ttf"):
        fonts.cjk_font("/nowhere/font.ttf")


def test_pdf_font_environment_variable_chooses_the_font(monkeypatch):
    monkeypatch.setenv("PDF_FONT", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")

    assert fonts.cjk_font().name == "CJK-wqy-microhei"


def test_without_a_truetype_font_the_cid_font_is_used_with_a_warning(monkeypatch):
    monkeypatch.delenv("PDF_FONT", raising=False)
    monkeypatch.setattr(fonts, "DEBIAN_FONTS", ())

    with pytest.warns(UserWarning, match="NOT embedded"):
        font = fonts.cjk_font()

    assert font.name == "STSong-Light" and not font.embedded


def test_character_no_font_has_is_printed_as_the_missing_mark_with_a_warning(monkeypatch):
    monkeypatch.delenv("PDF_FALLBACK_FONTS", raising=False)
    monkeypatch.setattr(fonts, "FALLBACK_FONTS", ())
    main = fonts.cjk_font()

    with pytest.warns(UserWarning, match="No font has"):
        runs = list(fonts.font_runs("王𠀀李", main))

    assert runs == [(None, "王〓李")]


def test_characters_the_main_font_lacks_go_to_the_fallback_font():
    main = fonts.cjk_font()

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        runs = list(fonts.font_runs("王𠀀李", main))

    assert [(font.name if font else None, run) for font, run in runs] == [
        (None, "王"), ("CJK-HanaMinB", "𠀀"), (None, "李")]

