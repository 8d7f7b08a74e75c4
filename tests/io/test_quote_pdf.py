"""The PDF quote, read back with a PDF text extractor (pypdf): lines, totals and Chinese
in it, on A4 or Letter, on as many pages as its lines need; and the fonts it is written in."""

import io
import os
import stat
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from salesdesk.core.errors import SalesdeskError
from salesdesk.io import fonts
from salesdesk.io.fonts import FontFile, Fonts, find_cjk_font, find_latin_font, given_font, pick_fonts
from salesdesk.io.quote_pdf import all_text, render_pdf
from tests.io.quote_docs import chinese, english, line, many_lines

CJK_FONT = find_cjk_font()
needs_cjk_font = pytest.mark.skipif(
    CJK_FONT is None, reason="no font with Chinese characters here (install fonts-noto-cjk)"
)
LATIN_FONT = find_latin_font()


def pages(data: bytes) -> list[str]:
    """The text of each page (pypdf), without its spaces and line breaks: where a line
    wraps, or how wide a space is, is the layout's business."""
    reader = PdfReader(io.BytesIO(data))
    return ["".join(page.extract_text().split()) for page in reader.pages]


def squeeze(text: str) -> str:
    return "".join(text.split())


def test_the_lines_totals_and_head_are_in_the_pdf():
    doc = english()
    data = render_pdf(doc)
    assert data.startswith(b"%PDF-")
    [text] = pages(data)
    for expected in (
        "Quote",
        "Q-2026-0012v2",
        "27November2026",
        "27December2026",
        "NorthwindToolsLtd",
        "TaxID:GB123456789",
        "MariaLopez",
        "Lopez&Daughters",
        "Annualmaintenancecontract",
        "Spareparts<kit>|sizeM&L",
        "On-sitetraining",
        "$12,500.00",
        "$109.36",
        "12.5%",
        "-$50.00",
        "Subtotal",
        "$14,424.98",
        "-$65.62",
        "Totaldue",
        "$14,359.36",
        "Paymentwithin30days.",
        "Page1of1",
    ):
        assert expected in text, expected


@needs_cjk_font
def test_a_chinese_quote_is_written_in_chinese_and_reads_back():
    [text] = pages(render_pdf(chinese()))
    for expected in (
        "报价单",
        "上海北风工具有限公司",
        "税号：91310000MA1K000000",
        "王芳",
        "杭州精工机械有限公司",
        "品名及说明",
        "年度维保合同",
        "备件框架协议（含运费）",
        "现场培训",
        "¥80,000.00",
        "-¥200.00",
        "应付总额",
        "¥89,790.00",
        "有效期至",
        "2026年12月27日",
        "付款方式：合同签订后30天内电汇。",
        "第1页，共1页",
    ):
        assert expected in text, expected


def test_a4_by_default_and_letter_when_asked():
    a4 = PdfReader(io.BytesIO(render_pdf(english()))).pages[0].mediabox
    letter = PdfReader(io.BytesIO(render_pdf(english(), paper="letter"))).pages[0].mediabox
    assert (round(float(a4.width)), round(float(a4.height))) == (595, 842)
    assert (round(float(letter.width)), round(float(letter.height))) == (612, 792)


def test_an_unknown_paper_is_refused():
    with pytest.raises(SalesdeskError, match="'a3' is not a paper size; use a4 or letter"):
        render_pdf(english(), paper="a3")


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_many_lines_make_pages_that_each_repeat_the_head_and_never_cut_a_line(paper):
    doc = many_lines(60)
    texts = pages(render_pdf(doc, paper=paper))
    assert len(texts) >= 2
    for number, text in enumerate(texts, start=1):
        assert f"Page{number}of{len(texts)}" in text
    with_lines = [text for text in texts if "B-0" in text]
    for text in with_lines:
        assert "CodeDescriptionQtyUnitUnitpriceDiscountTotal" in text  # the head on each page
    for item in doc.lines:
        description = squeeze(item.description)
        found = [text for text in texts if item.code in text]
        assert len(found) == 1, item.code  # on one page
        assert description in found[0]  # its wrapped description whole, on the same page
    [totals] = [text for text in texts if "Totaldue" in text]  # once, kept together
    assert "Subtotal$637.32" in totals and "Totaldue$637.32" in totals
    assert "Paymentwithin30days." in texts[-1]


def test_a_latin_quote_needs_no_font_file():
    doc = english()
    [text] = pages(render_pdf(doc, fonts=Fonts(None)))  # fpdf2's core Helvetica
    assert "$14,359.36" in text and "Spareparts<kit>|sizeM&L" in text


def test_no_chinese_font_found_refuses_a_chinese_quote_in_one_sentence(monkeypatch):
    monkeypatch.setattr(fonts, "find_cjk_font", lambda: None)
    monkeypatch.setattr(fonts, "find_latin_font", lambda: None)
    with pytest.raises(SalesdeskError) as raised:
        render_pdf(chinese())
    message = str(raised.value)
    assert message == (
        "This quote has Chinese text and no font with Chinese characters was found on this computer; "
        "install one (such as the fonts-noto-cjk package) or pass --font FILE."
    )
    # A quote in Latin text is still written, in Helvetica.
    assert pages(render_pdf(english()))[0].count("$14,359.36") == 1


def test_text_beyond_latin_1_without_any_font_is_refused(monkeypatch):
    monkeypatch.setattr(fonts, "find_cjk_font", lambda: None)
    monkeypatch.setattr(fonts, "find_latin_font", lambda: None)
    doc = replace(english(), lines=(line("Ремонт станка", 1000, 100),))
    with pytest.raises(SalesdeskError, match="No font for the characters of this quote"):
        render_pdf(doc)


def test_the_text_for_the_font_holds_every_word_in_the_quotes_language():
    text = all_text(chinese())
    assert "报价单" in text and "年度维保合同" in text and "第 {page} 页" in text
    assert fonts.has_cjk(text) and not fonts.has_cjk(all_text(english()))


def fake_fc_list(tmp_path: Path, rows: list[str]) -> str:
    script = tmp_path / "fc-list"
    script.write_text("#!/bin/sh\ncat <<'EOF'\n" + "\n".join(rows) + "\nEOF\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


def test_fontconfig_s_face_for_simplified_chinese_sans_is_taken(tmp_path):
    files = {name: tmp_path / name for name in ("serif.ttc", "sans.ttc", "mono.ttc", "gone.ttc")}
    for path in list(files.values())[:3]:
        path.write_bytes(b"font")
    fc_list = fake_fc_list(
        tmp_path,
        [
            f"{files['serif.ttc']}\t2\tNoto Serif CJK SC\tRegular",
            f"{files['sans.ttc']}\t0\tNoto Sans CJK JP\tRegular",
            f"{files['sans.ttc']}\t2\tNoto Sans CJK SC\tBold",
            f"{files['sans.ttc']}\t2\tNoto Sans CJK SC\tRegular",
            f"{files['mono.ttc']}\t7\tNoto Sans Mono CJK SC\tRegular",
            f"{tmp_path / 'bitmap.pcf'}\t0\tSome Bitmap\tRegular",
        ],
    )
    assert find_cjk_font(fc_list, known=()) == FontFile(files["sans.ttc"], 2)
    # A face fontconfig names but that is gone is passed over.
    only_gone = fake_fc_list(tmp_path, [f"{files['gone.ttc']}\t2\tNoto Sans CJK SC\tRegular"])
    assert find_cjk_font(only_gone, known=[(files["serif.ttc"], 1)]) == FontFile(files["serif.ttc"], 1)


def test_without_fontconfig_the_known_places_are_looked_in(tmp_path):
    missing = str(tmp_path / "no-fc-list")
    font = tmp_path / "wqy-microhei.ttc"
    assert find_cjk_font(missing, known=[(tmp_path / "PingFang.ttc", 0)]) is None
    font.write_bytes(b"font")
    assert find_cjk_font(missing, known=[(tmp_path / "PingFang.ttc", 0), (font, 0)]) == FontFile(font, 0)
    assert find_latin_font([tmp_path / "DejaVuSans.ttf"]) is None


def test_the_bold_face_beside_a_regular_one(tmp_path):
    regular, bold = tmp_path / "NotoSansCJK-Regular.ttc", tmp_path / "NotoSansCJK-Bold.ttc"
    regular.write_bytes(b"font")
    assert fonts.bold_of(FontFile(regular, 2)) is None
    bold.write_bytes(b"font")
    assert fonts.bold_of(FontFile(regular, 2)) == FontFile(bold, 2)
    assert pick_fonts("text", FontFile(regular, 2)) == Fonts(FontFile(regular, 2), FontFile(bold, 2))


def test_a_font_given_is_checked(tmp_path):
    with pytest.raises(SalesdeskError, match="is not a file; pass a font file"):
        given_font(str(tmp_path / "none.ttf"))
    text_file = tmp_path / "notes.txt"
    text_file.write_text("not a font")
    with pytest.raises(SalesdeskError, match=r"is not a TrueType or OpenType font; pass a \.ttf, \.otf"):
        given_font(str(text_file))
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"not a font at all")
    with pytest.raises(SalesdeskError, match="cannot be read as a font"):
        render_pdf(english(), fonts=Fonts(given_font(str(broken))))


@pytest.mark.skipif(LATIN_FONT is None, reason="no DejaVu, Liberation or Arial font here")
def test_a_font_without_chinese_is_refused_for_a_chinese_quote():
    assert LATIN_FONT is not None
    with pytest.raises(SalesdeskError) as raised:
        render_pdf(chinese(), fonts=Fonts(LATIN_FONT))
    message = str(raised.value)
    assert message.startswith(f"{LATIN_FONT.path} has no characters for ")
    assert "上不世东" in message and "pass a font that has them with --font FILE" in message


@needs_cjk_font
def test_a_collection_given_by_path_uses_its_simplified_chinese_face():
    assert CJK_FONT is not None
    if CJK_FONT.path.suffix.lower() != ".ttc" or "Noto" not in CJK_FONT.path.name:
        pytest.skip("the CJK font here is not a Noto collection")
    assert given_font(str(CJK_FONT.path)).index == 2  # Noto Sans CJK SC in the collection
    [text] = pages(render_pdf(chinese(), fonts=Fonts(given_font(str(CJK_FONT.path)))))
    assert "年度维保合同" in text


@needs_cjk_font
def test_the_font_is_embedded_as_a_subset_so_the_file_stays_small():
    assert CJK_FONT is not None
    data = render_pdf(chinese())
    assert len(data) < 100_000 < os.path.getsize(CJK_FONT.path), len(data)


@needs_cjk_font
def test_a_cff_font_is_embedded_as_truetype_that_any_extractor_reads(tmp_path):
    """Noto Sans CJK has CFF outlines: converted to TrueType, the PDF's text reads back
    with pdfminer.six as well as with pypdf, where fpdf2's own CFF embedding reads as nothing."""
    assert CJK_FONT is not None
    converted = fonts.as_truetype(CJK_FONT, "年度维保合同 Quote", tmp_path)
    if converted == CJK_FONT:
        pytest.skip("the CJK font here has TrueType outlines already")
    assert converted.path.parent == tmp_path and converted.path.suffix == ".ttf"
    data = render_pdf(chinese())
    before = fonts._truetype_subset.cache_info()
    assert pages(render_pdf(chinese())) == pages(data)  # the same quote again: the subset made before
    assert fonts._truetype_subset.cache_info().hits >= before.hits + 1
    reader = PdfReader(io.BytesIO(data))
    font = next(iter(reader.pages[0]["/Resources"]["/Font"].values())).get_object()
    assert font["/Encoding"] == "/Identity-H"
    assert font["/DescendantFonts"][0].get_object()["/Subtype"] == "/CIDFontType2"  # TrueType


def test_a_quote_with_only_its_number_and_one_with_words_too_long_for_a_cell_are_written():
    bare = replace(english(), seller={}, buyer={}, terms="", deal_title="", lines=())
    bare = replace(bare, subtotal=0, discount_total=0, total=0)
    [text] = pages(render_pdf(bare))
    assert "Q-2026-0012v2" in text and "Totaldue$0.00" in text and "Terms" not in text
    url = "https://example.com/" + "x" * 180
    long_line = line(url, 1000, 100, code="VERYLONGPRODUCTCODE-123456", unit="kilograms")
    doc = replace(english(), lines=(long_line,))
    [text] = pages(render_pdf(doc, fonts=Fonts(LATIN_FONT) if LATIN_FONT else Fonts(None)))
    assert url in text and "VERYLONGPRODUCTCODE-123456" in text  # wrapped inside its cell, whole
