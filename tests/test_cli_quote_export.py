"""`salesdesk export quote` as a person runs it: real processes on a real database, the
format from the file's extension or --format, one sentence for what cannot be done."""

import io
import os
import pty
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from salesdesk.io.fonts import find_cjk_font
from salesdesk.store.store import Store
from tests.io.quote_docs import chinese, english, insert_quote, line
from tests.test_cli import assert_one_sentence_error, digest, run


@pytest.fixture
def db(tmp_path):
    """A database with Q-2026-0012 in two versions and Q-2026-0013, in Chinese."""
    path = tmp_path / "quotes.db"
    store = Store.open(path, "ann", lambda: datetime(2026, 11, 27, 9, tzinfo=UTC))
    first = replace(english(), revision=1, lines=(line("First version line", 1000, 100_000),))
    insert_quote(store, replace(first, subtotal=100_000, discount_total=0, total=100_000))
    insert_quote(store, english())
    insert_quote(store, replace(chinese(), number="Q-2026-0013", revision=1))
    store.close()
    return path


QUOTE = [sys.executable, "-m", "salesdesk", "export", "quote"]


def export(db, *args, env=None):
    return run("export", "quote", "--db", str(db), *args, env=env)


def pdf_text(path) -> str:
    return "".join("".join(page.extract_text().split()) for page in PdfReader(path).pages)


def test_the_format_comes_from_the_file_s_extension(db, tmp_path):
    for name in ("q.html", "q.HTM", "q.pdf", "q.md", "q.markdown"):
        result = export(db, "Q-2026-0012", "-o", str(tmp_path / name))
        assert result.returncode == 0, result.stderr
        assert result.stdout == f"Wrote quote Q-2026-0012 v2 to {tmp_path / name}\n"
    html = (tmp_path / "q.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<td>$14,359.36</td></tr>" in html
    assert (tmp_path / "q.HTM").read_bytes() == (tmp_path / "q.html").read_bytes()
    assert "Totaldue$14,359.36" in pdf_text(tmp_path / "q.pdf")
    markdown = (tmp_path / "q.md").read_text(encoding="utf-8")
    assert markdown.startswith("# Quote Q-2026-0012 v2\n")
    assert "| SP-2 | Spare parts \\<kit\\> \\| size M \\& L |" in markdown
    assert (tmp_path / "q.markdown").read_bytes() == (tmp_path / "q.md").read_bytes()


def test_format_says_over_the_extension(db, tmp_path):
    target = tmp_path / "quote.txt"
    result = export(db, "Q-2026-0012", "-o", str(target), "--format", "html")
    assert result.returncode == 0, result.stderr
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    result = export(db, "Q-2026-0012", "-o", str(tmp_path / "quote.html"), "--format", "pdf")
    assert result.returncode == 0 and (tmp_path / "quote.html").read_bytes().startswith(b"%PDF-")


def test_without_a_file_the_quote_goes_to_stdout_as_markdown_or_as_asked(db):
    result = export(db, "Q-2026-0012")
    assert result.returncode == 0 and result.stdout.startswith("# Quote Q-2026-0012 v2\n")
    assert "**Total due: \\$14,359.36**" in result.stdout
    html = export(db, "Q-2026-0012", "--format", "html")
    assert html.returncode == 0 and html.stdout.startswith("<!DOCTYPE html>")
    piped = subprocess.run(
        [*QUOTE, "--db", str(db), "Q-2026-0012", "--format", "pdf"],
        capture_output=True,
        env={**os.environ, "SALESDESK_USER": "ann"},
        timeout=120,
    )
    assert piped.returncode == 0 and piped.stdout.startswith(b"%PDF-")
    assert "Totaldue$14,359.36" in pdf_text(io.BytesIO(piped.stdout))


def test_a_pdf_is_not_written_onto_a_terminal(db):
    leader, follower = pty.openpty()
    try:
        result = subprocess.run(
            [*QUOTE, "--db", str(db), "Q-2026-0012", "--format", "pdf"],
            stdout=follower,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "SALESDESK_USER": "ann"},
            timeout=120,
        )
    finally:
        os.close(follower)
        os.close(leader)
    assert_one_sentence_error(result, "A PDF is not for the terminal; pass -o FILE")


def test_a_version_is_named_with_or_without_a_space_and_the_latest_without(db, tmp_path):
    for name in ("Q-2026-0012 v1", "Q-2026-0012v1", "q-2026-12 V1"):
        result = export(db, name)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("# Quote Q-2026-0012\n") and "First version line" in result.stdout
    latest = export(db, "Q-2026-12")
    assert latest.stdout.startswith("# Quote Q-2026-0012 v2\n") and "First version line" not in latest.stdout


def test_a_bad_number_an_unknown_quote_and_an_unknown_version_are_one_sentence(db):
    before = digest(db)
    assert_one_sentence_error(export(db, "Q-2026"), "'Q-2026' is not a quote number", "Q-2026-0012 v2")
    assert_one_sentence_error(export(db, "12"), "'12' is not a quote number")
    assert_one_sentence_error(export(db, "Q-2026-0099"), "No quote Q-2026-0099")
    assert_one_sentence_error(export(db, "Q-2026-0012 v7"), "No quote Q-2026-0012 v7")
    assert digest(db) == before


def test_a_file_that_cannot_be_written_is_one_sentence_and_nothing_is_left(db, tmp_path):
    missing = tmp_path / "no-such-folder" / "q.pdf"
    result = export(db, "Q-2026-0012", "-o", str(missing))
    assert_one_sentence_error(result, "does not exist; create it first")
    assert not missing.parent.exists()
    assert_one_sentence_error(export(db, "Q-2026-0012", "-o", str(tmp_path), "--format", "md"), "is a folder")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    # root writes in any folder, but not in /sys
    target = locked / "q.html" if os.geteuid() != 0 else Path("/sys/salesdesk-quote.html")
    try:
        result = export(db, "Q-2026-0012", "-o", str(target))
    finally:
        locked.chmod(0o700)
    assert_one_sentence_error(result, f"{target} cannot be written (Permission denied); choose a file")
    assert list(locked.iterdir()) == [] and not target.exists()


def test_an_extension_that_says_no_format_is_one_sentence(db, tmp_path):
    result = export(db, "Q-2026-0012", "-o", str(tmp_path / "quote.docx"))
    assert_one_sentence_error(result, "does not say its format; name it .html, .pdf or .md, or pass --format")
    assert not (tmp_path / "quote.docx").exists()


def test_a_font_that_is_not_one_is_refused(db, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("words")
    target = tmp_path / "q.pdf"
    assert_one_sentence_error(export(db, "Q-2026-0012", "-o", str(target), "--font", str(notes)), "--font")
    assert_one_sentence_error(
        export(db, "Q-2026-0012", "-o", str(target), "--font", str(tmp_path / "none.ttf")), "is not a file"
    )
    assert_one_sentence_error(
        export(db, "Q-2026-0012", "-o", str(tmp_path / "q.md"), "--font", str(notes)), "--font is for a PDF"
    )
    assert not target.exists()


@pytest.mark.skipif(find_cjk_font() is None, reason="no font with Chinese characters here (fonts-noto-cjk)")
def test_a_chinese_quote_as_pdf_on_letter_reads_back_in_chinese(db, tmp_path):
    target = tmp_path / "报价.pdf"
    result = export(db, "Q-2026-0013", "-o", str(target), "--paper", "letter")
    assert result.returncode == 0, result.stderr
    text = pdf_text(target)
    for expected in ("报价单", "年度维保合同", "备件框架协议（含运费）", "应付总额", "¥89,790.00"):
        assert expected in text, expected
    box = PdfReader(target).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)


def test_the_quote_keeps_its_language_while_the_messages_follow_the_person(db, tmp_path):
    target = tmp_path / "q.html"
    result = export(db, "Q-2026-0012", "-o", str(target), "--lang", "zh")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"已将报价单 Q-2026-0012 v2 写入 {target}\n"
    html = target.read_text(encoding="utf-8")
    assert "Valid until" in html and "有效期至" not in html
    chinese_md = export(db, "Q-2026-0013", "--lang", "en")
    assert "**有效期至**：2026年12月27日" in chinese_md.stdout
    assert_one_sentence_error(export(db, "Q-2026", "--lang", "zh"), "不是")


WRONG_TYPE = (
    '[{"description": "x", "quantity_milli": "many", "unit": "", "unit_price": 1, '
    '"discount_kind": "none", "discount": 0, "total": 1}]'
)


@pytest.mark.parametrize("lines", ["not json", '[{"bogus": 1}]', "[1, 2]", WRONG_TYPE])
def test_a_damaged_quote_is_one_sentence(tmp_path, lines):
    path = tmp_path / "damaged.db"
    store = Store.open(path, "ann", lambda: datetime(2026, 11, 27, 9, tzinfo=UTC))
    quote = insert_quote(store, english())
    store.records.update("quotes", quote, {"lines": lines})
    store.close()
    result = export(path, "Q-2026-0012", "-o", str(tmp_path / "q.html"))
    assert_one_sentence_error(result, "Quote Q-2026-0012 cannot be read (", "run 'salesdesk check'")
    assert not (tmp_path / "q.html").exists()
