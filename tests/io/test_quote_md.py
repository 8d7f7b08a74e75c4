"""The markdown quote, read back with a markdown parser (markdown-it-py, GitHub tables):
its lines stay a table whatever they say, in the quote's language."""

from dataclasses import replace

from markdown_it import MarkdownIt

from salesdesk import i18n
from salesdesk.io import quote_text
from salesdesk.io.quote_md import render_md
from tests.io.quote_docs import chinese, english, line


def parse(text: str):
    return MarkdownIt("commonmark").enable("table").parse(text)


def inline_text(token) -> str:
    """What an inline token reads as: its text, a `<br>` or a hard break as a line break."""
    parts = []
    for child in token.children or []:
        if (child.type == "html_inline" and child.content == "<br>") or child.type in (
            "hardbreak",
            "softbreak",
        ):
            parts.append("\n")
        else:
            parts.append(child.content)
    return "".join(parts)


def table_rows(text: str) -> list[list[str]]:
    tokens = parse(text)
    rows, row, inside = [], None, False
    for token in tokens:
        if token.type == "table_open":
            inside = True
        elif token.type == "table_close":
            inside = False
        elif inside and token.type == "tr_open":
            row = []
        elif inside and token.type == "tr_close":
            rows.append(row)
        elif inside and token.type == "inline":
            row.append(inline_text(token))
    return rows


def paragraphs(text: str) -> list[str]:
    return [inline_text(token) for token in parse(text) if token.type == "inline"]


def test_the_lines_are_a_table_with_every_cell_as_typed():
    doc = english()
    head, *rows = table_rows(render_md(doc))
    assert head == ["Code", "Description", "Qty", "Unit", "Unit price", "Discount", "Total"]
    assert rows == [list(quote_text.line_cells(item, doc.currency)) for item in doc.lines]
    assert rows[1][1] == "Spare parts <kit> | size M & L"


def test_markdown_in_a_value_stays_text_and_the_table_stays_a_table():
    tricky = "a | b *bold* _it_ `code` [link](x) <b>html</b> ~~gone~~ $x$ # not a heading \\ end"
    doc = replace(
        english(),
        lines=(line(tricky, 1000, 100, code="|", unit="**"), line("two\nlines", 1000, 100)),
        terms="1. not a list\n- nor this\n+ nor this\n===\n# nor a heading",
        seller={"name": "- Seller", "address": "", "phone": "", "email": "", "tax_id": ""},
    )
    text = render_md(doc)
    rows = table_rows(text)
    assert rows[1][:4] == ["|", tricky, "1", "**"]
    assert rows[2][1] == "two\nlines"
    assert all(len(row) == 7 for row in rows)
    kinds = [token.type for token in parse(text)] + [
        child.type for token in parse(text) for child in token.children or []
    ]
    for syntax in ("bullet_list_open", "ordered_list_open", "em_open", "link_open", "code_inline", "s_open"):
        assert syntax not in kinds, syntax
    assert kinds.count("strong_open") == 5 + 1  # the labels of the head, and the total: no value
    assert "1. not a list\n- nor this\n+ nor this\n===\n# nor a heading" in paragraphs(text)
    assert "- Seller" in paragraphs(text)
    headings = [token.tag for token in parse(text) if token.type == "heading_open"]
    assert headings == ["h1", "h2", "h2", "h2"]  # the title, From, To, Terms


def test_the_totals_and_the_head_are_there():
    found = paragraphs(render_md(english()))
    assert "Subtotal: $14,424.98\nDiscounts: -$65.62\nTotal due: $14,359.36" in found
    assert (
        "Quote number: Q-2026-0012 v2\nDate: 27 November 2026\nValid until: 27 December 2026\n"
        "Currency: USD\nFor: Workshop refit" in found
    )
    assert (
        "Northwind Tools Ltd\n12 Harbour Road\nBristol BS1 4QA\n+44 117 496 0000\n"
        "sales@northwind.example\nTax ID: GB123456789" in found
    )
    assert found[0] == "Quote Q-2026-0012 v2"


def test_a_chinese_quote_is_written_in_chinese_whatever_the_person_reads():
    text = render_md(chinese())
    head, *rows = table_rows(text)
    assert head == ["编码", "品名及说明", "数量", "单位", "单价", "折扣", "金额"]
    assert rows[0] == ["WB-01", "年度维保合同", "1", "年", "¥80,000.00", "", "¥80,000.00"]
    found = paragraphs(text)
    assert "小计：¥90,200.00\n折扣合计：-¥410.00\n应付总额：¥89,790.00" in found
    assert (
        "报价单号：Q-2026-0012 v2\n报价日期：2026年11月27日\n有效期至：2026年12月27日\n"
        "币种：CNY\n项目：车间改造" in found
    )
    i18n.set_language(i18n.CHINESE)
    assert "Valid until" in render_md(english())
    assert i18n.language() == i18n.CHINESE


def test_a_quote_with_only_its_number_is_written():
    bare = replace(english(), seller={}, buyer={}, terms="", deal_title="", lines=())
    bare = replace(bare, subtotal=0, discount_total=0, total=0)
    text = render_md(bare)
    assert table_rows(text) == [["Code", "Description", "Qty", "Unit", "Unit price", "Discount", "Total"]]
    assert "## From" not in text and "## Terms" not in text and "**Total due: \\$0.00**" in text
