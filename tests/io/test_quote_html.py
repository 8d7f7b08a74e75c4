"""The HTML quote: one self-contained file, every value escaped, in the quote's language,
read back with an HTML parser."""

import threading
from dataclasses import replace
from html.parser import HTMLParser

from salesdesk import i18n
from salesdesk.io import quote_text
from salesdesk.io.quote_html import render_html
from tests.io.quote_docs import chinese, english, line


class QuoteReader(HTMLParser):
    """The text of each cell of each table, by the table's class, and every tag seen."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self.tags: list[str] = []
        self.attributes: list[dict[str, str | None]] = []
        self.table: str | None = None
        self.cell: list[str] | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.append(dict(attrs))
        if tag == "table":
            self.table = dict(attrs).get("class") or ""
            self.tables[self.table] = []
        elif tag == "tr" and self.table is not None:
            self.tables[self.table].append([])
        elif tag in ("td", "th") and self.table is not None:
            self.cell = []
        elif tag == "br" and self.cell is not None:
            self.cell.append("\n")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None and self.table is not None:
            self.tables[self.table][-1].append("".join(self.cell))
            self.cell = None
        elif tag == "table":
            self.table = None

    def handle_data(self, data):
        self.text.append(data)
        if self.cell is not None:
            self.cell.append(data)


def read(html: str) -> QuoteReader:
    reader = QuoteReader()
    reader.feed(html)
    reader.close()
    return reader


def test_every_line_and_every_total_is_in_its_table():
    doc = english()
    reader = read(render_html(doc))
    head, *rows = reader.tables["lines"]
    assert head == ["Code", "Description", "Qty", "Unit", "Unit price", "Discount", "Total"]
    assert rows == [list(quote_text.line_cells(item, doc.currency)) for item in doc.lines]
    assert rows[1] == ["SP-2", "Spare parts <kit> | size M & L", "2.5", "box", "$49.99", "12.5%", "$109.36"]
    assert rows[2][5] == "-$50.00"
    assert reader.tables["totals"] == [
        ["Subtotal", "$14,424.98"],
        ["Discounts", "-$65.62"],
        ["Total due", "$14,359.36"],
    ]
    assert doc.total == 1_435_936


def test_the_head_says_who_sells_to_whom_when_and_until_when():
    text = "".join(read(render_html(english())).text)
    for expected in (
        "Northwind Tools Ltd",
        "12 Harbour Road",
        "Bristol BS1 4QA",
        "Tax ID: GB123456789",
        "Maria Lopez",
        "Lopez & Daughters",
        "Q-2026-0012 v2",
        "27 November 2026",
        "Valid until",
        "27 December 2026",
        "Workshop refit",
        "Payment within 30 days.",
        "Prices exclude VAT.",
    ):
        assert expected in text, expected


def test_a_quote_without_discounts_shows_no_discount_row():
    doc = english()
    doc = replace(doc, lines=doc.lines[:1], subtotal=1_250_000, discount_total=0, total=1_250_000)
    totals = read(render_html(doc)).tables["totals"]
    assert [row[0] for row in totals] == ["Subtotal", "Total due"]


def test_every_value_is_escaped_so_it_reads_as_typed():
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    doc = replace(
        english(),
        lines=(line(attack, 1000, 100, code="<b>", unit='"u"'),),
        seller={"name": attack, "address": "a & b", "phone": "", "email": "", "tax_id": ""},
        buyer={"name": "</td></tr></table>", "company": "", "email": "", "phone": ""},
        terms="<i>not italic</i>",
        deal_title="</title><h1>",
        number="Q-2026-0012",
    )
    html = render_html(doc)
    reader = read(html)
    assert "script" not in reader.tags and "img" not in reader.tags and "i" not in reader.tags
    assert reader.tags.count("h1") == 1 and reader.tags.count("table") == 2 and "b" not in reader.tags
    assert not any(key.startswith("on") for attributes in reader.attributes for key in attributes)
    assert reader.tables["lines"][1][:2] == ["<b>", attack]
    text = "".join(reader.text)
    assert attack in text and "</td></tr></table>" in text and "<i>not italic</i>" in text


def test_control_characters_are_shown_and_line_breaks_kept():
    doc = replace(english(), lines=(line("two\nlines\x1b[31m", 1000, 100),))
    cells = read(render_html(doc)).tables["lines"][1]
    assert cells[1] == "two\nlines\u241b[31m"


def test_the_file_is_self_contained_and_prints_on_a4_and_letter():
    html = render_html(english())
    for outside in ("http:", "https:", "<link", "<script", "<img", "url(", "@import", "@font-face"):
        assert outside not in html, outside
    assert html.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in html
    assert "@page { size: auto;" in html  # the printer's paper, A4 or Letter
    assert "thead { display: table-header-group; }" in html  # the head repeats on each page
    assert "tr { break-inside: avoid;" in html  # a line is never cut across pages
    assert "table.totals { width: auto; margin: 4mm 0 0 auto; break-inside: avoid;" in html
    assert '"Noto Sans CJK SC", ' in html and '"PingFang SC"' in html and '"Microsoft YaHei"' in html


def test_a_chinese_quote_is_written_in_chinese():
    doc = chinese()
    reader = read(render_html(doc))
    head, *rows = reader.tables["lines"]
    assert head == ["编码", "品名及说明", "数量", "单位", "单价", "折扣", "金额"]
    assert rows[1] == ["BJ-07", "备件框架协议（含运费）", "12", "套", "¥350.00", "5%", "¥3,990.00"]
    assert reader.tables["totals"][-1] == ["应付总额", "¥89,790.00"]
    text = "".join(reader.text)
    for expected in (
        "报价单",
        "上海北风工具有限公司",
        "税号：91310000MA1K000000",
        "王芳",
        "2026年12月27日",
        "车间改造",
    ):
        assert expected in text, expected
    assert '<html lang="zh-CN">' in render_html(doc)


def test_the_quote_is_in_its_own_language_whatever_the_person_reads():
    i18n.set_language(i18n.CHINESE)
    english_html = render_html(english())
    assert "Valid until" in english_html and "有效期至" not in english_html
    assert i18n.language() == i18n.CHINESE and i18n._("Quit") != "Quit"  # the person's language is back
    i18n.set_language(i18n.ENGLISH)
    assert "有效期至" in render_html(chinese())
    assert i18n.language() == i18n.ENGLISH and i18n._("Quit") == "Quit"


def test_written_in_gives_back_the_language_even_after_an_error():
    i18n.set_language(i18n.CHINESE, fixed=True)
    try:
        with i18n.written_in("en") as chosen:
            assert chosen == i18n.ENGLISH and i18n.language() == i18n.ENGLISH
            raise RuntimeError("stop")
    except RuntimeError:
        pass
    assert i18n.language() == i18n.CHINESE
    assert i18n.prefer("en") == i18n.CHINESE  # still fixed by --lang


def test_written_in_changes_the_words_of_its_own_thread_only():
    inside, leave = threading.Event(), threading.Event()
    seen = {}

    def write_a_chinese_quote():
        with i18n.written_in("zh"):
            seen["quote"] = i18n._("Quit"), i18n.long_date(chinese().issued_on)
            inside.set()
            leave.wait(10)
        seen["after"] = i18n._("Quit")

    worker = threading.Thread(target=write_a_chinese_quote)
    worker.start()
    assert inside.wait(10)
    assert i18n._("Quit") == "Quit" and i18n.language() == i18n.ENGLISH  # the app's thread
    assert i18n.long_date(chinese().issued_on) == "Friday 27 November 2026"
    leave.set()
    worker.join(10)
    assert seen == {"quote": ("退出", "2026年11月27日 周五"), "after": "Quit"}


def test_the_default_file_name_says_the_number_and_version():
    doc = english()
    assert quote_text.file_name(doc, "html") == "Q-2026-0012-v2.html"
    assert quote_text.file_name(replace(doc, revision=1), "pdf") == "Q-2026-0012.pdf"


def test_a_quote_with_only_its_number_is_written():
    bare = replace(english(), seller={}, buyer={}, terms="", deal_title="", lines=())
    bare = replace(bare, subtotal=0, discount_total=0, total=0)
    reader = read(render_html(bare))
    assert reader.tables["lines"] == [list(quote_text.labels().columns)]
    assert reader.tables["totals"] == [["Subtotal", "$0.00"], ["Total due", "$0.00"]]
    assert "From" not in "".join(reader.text) and "Terms" not in "".join(reader.text)
