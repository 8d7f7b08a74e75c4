"""The weekly summary as markdown: a golden file, tables that stay tables, the same bytes
from the same data, and values shown exactly as typed.

Regenerate the golden files after a deliberate change with
`SALESDESK_UPDATE_GOLDEN=1 pytest tests/io/test_weekly.py`, then read the diff.
"""

import os
from datetime import date
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from salesdesk.core.periods import IsoWeek, day_text, span_text
from salesdesk.io.weekly import file_name, md, render_weekly, save_summary
from salesdesk.store.reports import ReportStore
from salesdesk.store.store import Store
from tests.conftest import TODAY, FakeClock
from tests.reports_seed import (
    HOSTILE_CUSTOMER,
    HOSTILE_FOLLOWUP,
    HOSTILE_PERSON,
    HOSTILE_PRODUCT,
    HOSTILE_REASON,
    add_line,
    add_product,
    at,
    seed_reports,
)

GOLDEN = Path(__file__).parent / "golden"
W48 = IsoWeek(2026, 48)


def _seeded(path: Path, user: str = "ann") -> Store:
    clock = FakeClock()
    store = Store.open(path, "ann", clock)
    seed_reports(store, clock)
    if user != "ann":
        store.close()
        store = Store.open(path, user, clock)
    return store


@pytest.fixture
def store(tmp_path):
    opened = _seeded(tmp_path / "weekly.db")
    yield opened
    opened.close()


def _summary(store: Store, everyone: bool, week: IsoWeek = W48, today: date = TODAY) -> str:
    return render_weekly(ReportStore(store).weekly(week, today, everyone=everyone))


def _check_golden(text: str, name: str) -> None:
    golden = GOLDEN / name
    if os.environ.get("SALESDESK_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_bytes(text.encode("utf-8"))
    assert text.encode("utf-8") == golden.read_bytes(), f"{name} changed; see the module docstring"


@pytest.mark.parametrize(
    "everyone, name", [(True, "weekly-2026-W48-everyone.md"), (False, "weekly-2026-W48-ann.md")]
)
def test_golden_summary_of_a_fixed_week(store, everyone, name):
    _check_golden(_summary(store, everyone), name)


def test_the_same_data_gives_the_same_bytes(tmp_path, store):
    # A second database with the same history: every id is different (random), the bytes not.
    other = _seeded(tmp_path / "again.db")
    try:
        assert _summary(other, True) == _summary(store, True)
        assert _summary(other, False) == _summary(store, False)
    finally:
        other.close()


# -- reading the markdown back --------------------------------------------------------------


def _cells_of(line: str) -> list[str]:
    """A table line split on its unescaped pipes (an odd run of backslashes escapes one)."""
    cells, current, index = [], "", 0
    while index < len(line):
        char = line[index]
        if char == "\\" and index + 1 < len(line):
            current += line[index : index + 2]
            index += 2
            continue
        if char == "|":
            cells.append(current)
            current = ""
        else:
            current += char
        index += 1
    cells.append(current)
    return cells[1:-1]  # the text before the first pipe and after the last


def _text(inline) -> str:
    return "".join(child.content for child in inline.children)


def _tables(text: str) -> list[tuple[list[str], list[list[str]], list[str]]]:
    """(header, rows, source lines) of every table, as markdown-it reads them."""
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    lines = text.split("\n")
    tables, current, row = [], None, None
    for token in tokens:
        if token.type == "table_open":
            current = ([], [], lines[token.map[0] : token.map[1]])
        elif token.type == "tr_open":
            row = []
        elif token.type == "inline" and row is not None:
            row.append(_text(token))
        elif token.type == "tr_close":
            if not current[0]:
                current[0].extend(row)
            else:
                current[1].append(row)
            row = None
        elif token.type == "table_close":
            tables.append(current)
            current = None
    return tables


def _check_tables(text: str) -> list[tuple[list[str], list[list[str]], list[str]]]:
    tables = _tables(text)
    assert tables
    for header, rows, source in tables:
        assert all(len(_cells_of(line)) == len(header) for line in source), source
        assert all(len(cells) == len(header) for cells in rows)
    # Nothing from the database became markup: the only inline tokens are plain text.
    for token in MarkdownIt("commonmark").enable("table").parse(text):
        if token.type == "inline":
            assert {child.type for child in token.children} <= {"text"}, token.content
    return tables


def _column(tables, marker: str, name: str) -> list[str]:
    """Column `name` of the table whose header holds `marker`."""
    for header, rows, _ in tables:
        if marker in header:
            return [row[header.index(name)] for row in rows]
    raise AssertionError(f"no table with a column {marker}")


def _shown(value: str) -> str:
    """How a value reads in the summary: control characters as their pictures."""
    return value.replace("\n", "\u240a")


def test_every_table_keeps_its_columns_and_names_read_as_typed(store):
    tables = _check_tables(_summary(store, everyone=True))
    assert _column(tables, "Reason", "Reason") == [_shown(HOSTILE_REASON)]
    assert _column(tables, "Expected close", "Customer") == [_shown(HOSTILE_CUSTOMER), "Elm"]
    assert _column(tables, "Why", "What")[-1] == HOSTILE_FOLLOWUP
    assert _column(tables, "Person", "Person") == ["ann", "bob", HOSTILE_PERSON]
    assert _column(tables, "Why", "Owner") == ["ann"] * 4


def test_a_hostile_stage_and_user_name_stay_text(tmp_path):
    store = _seeded(tmp_path / "hostile.db", user="ann | *boss* [x]\n#1")
    try:
        store.records.update("stages", "stage-quote", {"name": "Quote | [i]x[/i]\nnew_one <b>"})
        text = _summary(store, everyone=False)
        tables = _check_tables(text)
        title = MarkdownIt("commonmark").enable("table").parse(text)[1]
        assert _text(title) == "ann | *boss* [x]\u240a#1: week 2026-W48, 23–29 Nov 2026"
        everyone = _check_tables(_summary(store, everyone=True))
        moves = list(zip(_column(everyone, "From", "From"), _column(everyone, "From", "To"), strict=True))
        assert ("Quote | [i]x[/i]\u240anew_one <b>", "Negotiation") in moves
        assert tables  # the user owns nothing, yet the headline is a table
    finally:
        store.close()


def test_markdown_escapes_every_character_that_could_be_syntax():
    assert md("a|b") == "a\\|b"
    assert md("[b]x[/b] *y* _z_ `c` <t> &amp; ~s~ #h $m !i \\") == (
        "\\[b\\]x\\[/b\\] \\*y\\* \\_z\\_ \\`c\\` \\<t\\> \\&amp; \\~s\\~ \\#h \\$m \\!i \\\\"
    )
    assert md("one\ntwo\r\nthree\tfour\x1b[31m") == "one\u240atwo\u240d\u240athree\u2409four\u241b\\[31m"
    assert md(None) == "" and md("李娜 & Co") == "李娜 \\& Co"


def test_dates_do_not_follow_the_machine_locale():
    assert day_text(date(2026, 11, 23)) == "Mon 23 Nov"
    assert span_text(date(2026, 11, 23), date(2026, 11, 29)) == "23–29 Nov 2026"
    assert span_text(date(2026, 11, 30), date(2026, 12, 6)) == "30 Nov – 6 Dec 2026"
    assert span_text(date(2025, 12, 29), date(2026, 1, 4)) == "29 Dec 2025 – 4 Jan 2026"
    assert file_name(W48) == "salesdesk-week-2026-W48.md"


def test_a_finished_week_and_an_empty_one(tmp_path, store):
    finished = _summary(store, True, IsoWeek(2026, 47), date(2026, 12, 2))
    assert "The week so far" not in finished and "Overdue at the end of the week: 1." in finished
    _check_tables(finished)
    empty = Store.open(tmp_path / "empty.db", "ann", FakeClock())
    try:
        text = _summary(empty, False)
        assert "No deal won this week." in text and "Nothing due next week." in text
        _check_tables(text)
    finally:
        empty.close()


def test_saving_replaces_the_file_whole(tmp_path):
    target = tmp_path / "week.md"
    target.write_text("old")
    assert save_summary("# new\n", target) == target
    assert target.read_bytes() == b"# new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["week.md"]


def test_the_summary_and_its_queries_are_headless():
    import subprocess
    import sys

    script = (
        "import salesdesk.core.periods, salesdesk.core.reports, salesdesk.core.weekly, "
        "salesdesk.store.reports, salesdesk.io.weekly, salesdesk.cli.weekly; import sys; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


def test_a_rate_changes_by_the_points_shown():
    from salesdesk.core.weekly import RATE, Headline
    from salesdesk.io.weekly import _change

    assert _change(Headline("Win rate", RATE, 0.6216, 0.696)) == "-8 pts"  # 62% beside 70%
    assert _change(Headline("Win rate", RATE, 2 / 3, 0.5)) == "+17 pts"
    assert _change(Headline("Win rate", RATE, 0.5, 0.5)) == "0 pts"
    assert _change(Headline("Win rate", RATE, None, 0.5)) == "–"


# -- products and quotes ---------------------------------------------------------------------


def _table_of(tables, header: list[str]) -> list[list[str]]:
    return next(rows for head, rows, _ in tables if head == header)


def test_products_categories_and_quotes_read_back_as_tables(store):
    tables = _check_tables(_summary(store, everyone=True))
    products = _table_of(tables, ["Product", "Code", "Category", "Quantity", "Deals", "Revenue"])
    # acme-rollout and bob's birch-upgrade, won this week; juniper-licence (last week) and
    # the lost dune-audit are not counted.
    assert products == [
        ["Annual maintenance", "MNT", "Services", "3 year", "2", "$4,500"],
        [_shown(HOSTILE_PRODUCT), "KIT-2", "Hardware", "4 pcs", "1", "$1,600"],
        ["Setup", "SET", "", "1.5 hour", "1", "$1,500"],
        ["other lines", "–", "–", "–", "–", "$400"],
    ]
    assert _table_of(tables, ["Category", "Revenue"]) == [
        ["Services", "$4,500"],
        ["Hardware", "$1,600"],
        ["(no category)", "$1,500"],
        ["other lines", "$400"],
    ]
    assert _table_of(tables, ["Quotes", "Count", "Value"]) == [
        ["Sent", "1", "$6,000"],  # Q-2026-0004 of dune-audit
        ["Accepted", "1", "$5,000"],  # Q-2026-0001 v2 of acme-rollout (v1 superseded)
        ["Expired", "1", "$1,500"],  # Q-2026-0003 of elm-gateway, valid to 25 Nov
    ]


def test_mine_leaves_out_the_lines_of_deals_others_own(store):
    tables = _check_tables(_summary(store, everyone=False))
    products = _table_of(tables, ["Product", "Code", "Category", "Quantity", "Deals", "Revenue"])
    assert [row[0] for row in products] == ["Annual maintenance", _shown(HOSTILE_PRODUCT), "other lines"]
    assert products[0][3:] == ["2 year", "1", "$3,000"]


def test_a_week_of_last_week_counts_its_own_lines_and_quotes(store):
    tables = _check_tables(_summary(store, True, IsoWeek(2026, 47), date(2026, 12, 2)))
    assert _table_of(tables, ["Product", "Code", "Category", "Quantity", "Deals", "Revenue"]) == [
        [_shown(HOSTILE_PRODUCT), "KIT-2", "Hardware", "3 pcs", "1", "$1,200"]  # juniper-licence
    ]
    # Sent: 0001 v2 (20 Nov), 0002 (16 Nov), 0003 (19 Nov); nothing accepted or expired.
    assert _table_of(tables, ["Quotes", "Count", "Value"]) == [
        ["Sent", "3", "$16,500"],
        ["Accepted", "0", "–"],
        ["Expired", "0", "–"],
    ]


def test_many_products_and_two_currencies(tmp_path, clock):
    store = Store.open(tmp_path / "many.db", "ann", clock)
    try:
        at(clock, 11, 2)
        customer = store.add_customer("Oak")
        usd = store.add_deal(customer, "big order", 0, currency="USD")
        for n in range(12):
            product = add_product(store, f"Part {n:02d}", 0, category="Parts")
            add_line(store, usd, f"Part {n:02d}", 1_000, 1_000 * (n + 1), product)
        cny = store.add_deal(customer, "大订单", 0, currency="CNY")
        add_line(store, cny, "年度维保合同", 2_000, 50_000, add_product(store, "年度维保合同", 0, "CNY"))
        at(clock, 11, 24)
        store.mark_won(usd)
        store.mark_won(cny)
        text = _summary(store, everyone=False)
        tables = _check_tables(text)
        products = _table_of(tables, ["Product", "Code", "Category", "Quantity", "Deals", "Revenue"])
        assert [row[0] for row in products] == [f"Part {n:02d}" for n in range(11, 1, -1)] + ["年度维保合同"]
        assert products[0][5] == "$120" and products[-1][5] == "¥1,000"
        assert "Listed: the 10 with the most revenue of 12 products sold in USD." in text
        assert _table_of(tables, ["Category", "Revenue"]) == [
            ["Parts", "$780"],
            ["(no category)", "¥1,000"],
        ]
    finally:
        store.close()


def test_a_week_whose_won_deals_have_no_lines(tmp_path):
    empty = Store.open(tmp_path / "empty.db", "ann", FakeClock())
    try:
        text = _summary(empty, False)
        assert "## Products won\n\nNo deal won this week has lines.\n" in text
        assert "## Won by category" not in text
        assert _table_of(_check_tables(text), ["Quotes", "Count", "Value"])[0] == ["Sent", "0", "–"]
    finally:
        empty.close()


def test_instalments_to_collect_due_next_week_are_counted_in_words():
    from salesdesk.io.weekly import _kind_count

    assert _kind_count("receivable", 1) == "1 instalment to collect"
    assert _kind_count("receivable", 3) == "3 instalments to collect"
