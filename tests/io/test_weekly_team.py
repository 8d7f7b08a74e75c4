"""The team table of the weekly summary with `--all`, read back with a markdown parser:
one row per person and the team's, every row as many cells as the header, a name with a
`|` in one cell, money in its own currencies, and the won target's share."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from salesdesk.core.periods import IsoWeek
from salesdesk.io.weekly import render_weekly
from salesdesk.store.reports import ReportStore
from salesdesk.store.store import Store
from tests.conftest import TODAY, FakeClock
from tests.reports_seed import HOSTILE_PERSON, seed_reports
from tests.store.test_performance import target

W48 = IsoWeek(2026, 48)
COLUMNS = [
    "Person",
    "Leads added",
    "Call",
    "Email",
    "Meeting",
    "Visit",
    "Message",
    "Note",
    "Deals moved",
    "Won",
    "Won value",
    "Lost",
    "Win rate",
    "Days to win",
    "Collected",
    "Of target",
]


@pytest.fixture
def store(tmp_path: Path):
    clock = FakeClock()
    opened = Store.open(tmp_path / "team.db", "ann", clock)
    seed_reports(opened, clock)
    # A lead of the week for bob, a won deal in yuan for ann, and targets for November.
    clock.now = datetime(2026, 11, 23, 10, tzinfo=UTC)
    lead = opened.add_customer("Larch", owner="bob")
    yuan = opened.add_deal(lead, "larch-yuan", 2_000_000, "CNY")
    clock.now = datetime(2026, 11, 25, 10, tzinfo=UTC)
    opened.mark_won(yuan)
    target(opened, "ann", "2026-11", 20_000_00)
    target(opened, "ann", "2026-11", 40_000_00, "CNY")
    target(opened, HOSTILE_PERSON, "2026-11", 1_000_00)
    target(opened, "ann", "2026-12", 99_000_00)  # not a month of the week
    yield opened
    opened.close()


def _team_table(text: str) -> tuple[list[str], list[list[str]]]:
    """The header and rows of the table under '## Team', as markdown-it reads them."""
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    start = next(i for i, t in enumerate(tokens) if t.type == "inline" and t.content == "Team")
    header: list[str] = []
    rows: list[list[str]] = []
    row: list[str] | None = None
    for token in tokens[start:]:
        if token.type == "tr_open":
            row = []
        elif token.type == "inline" and row is not None:
            row.append("".join(child.content for child in token.children))
        elif token.type == "tr_close" and row is not None:
            (rows if header else header).extend([row] if header else row)
            row = None
        elif token.type == "table_close":
            break
    return header, rows


def test_a_row_per_person_and_the_team_as_a_table(store):
    text = render_weekly(ReportStore(store).weekly(W48, TODAY, everyone=True))
    header, rows = _team_table(text)
    assert header == COLUMNS
    assert [row[0] for row in rows] == ["ann", "bob", HOSTILE_PERSON, "Team"]
    assert all(len(row) == len(COLUMNS) for row in rows)
    ann, bob, eve, team = ({name: cell for name, cell in zip(COLUMNS, row, strict=True)} for row in rows)
    assert bob["Leads added"] == "1" and team["Leads added"] == "1"
    assert (ann["Call"], ann["Email"], ann["Meeting"], bob["Visit"], eve["Message"]) == ("1",) * 5
    # ann won acme-rollout ($5,000, 22 days) and larch-yuan (¥20,000, 2 days); lost dune-audit.
    assert ann["Won"] == "2" and ann["Won value"] == "$5,000 · ¥20,000"
    assert ann["Win rate"] == "67%" and ann["Days to win"] == "12.0d"
    assert ann["Of target"] == "USD 25% · CNY 50%"
    assert eve["Of target"] == "0%" and bob["Of target"] == "–"
    assert team["Won"] == "3" and team["Won value"] == "$8,000 · ¥20,000"
    assert team["Win rate"] == "75%"  # 3 won of 4 closed, from the sums
    # The team has no target of its own: the members' added up, $21,000 and ¥40,000.
    assert team["Of target"] == "USD 38% · CNY 50%"


def test_a_name_with_a_pipe_stays_in_its_cell(store):
    text = render_weekly(ReportStore(store).weekly(W48, TODAY, everyone=True))
    source = text[text.index("## Team") :].split("\n\n")[2].splitlines()
    assert len(source) == 2 + 4  # the header, its rule, three people and the team
    assert source[1].startswith("| --- | ---: |")
    assert any(line.startswith("| e\\|ve \\[x\\] |") for line in source)


def test_only_everyones_summary_has_the_team(store):
    assert "## Team" not in render_weekly(ReportStore(store).weekly(W48, TODAY, everyone=False))


def test_in_chinese_the_team_is_a_table_too(store):
    from salesdesk import i18n

    i18n.set_language("zh")
    text = render_weekly(ReportStore(store).weekly(W48, TODAY, everyone=True))
    assert "## 团队" in text
    tokens = MarkdownIt("commonmark").enable("table").parse(text[text.index("## 团队") :])
    first = tokens[: next(i for i, t in enumerate(tokens) if t.type == "table_close")]
    assert len([t for t in first if t.type == "th_open"]) == len(COLUMNS)
    assert len([t for t in first if t.type == "tr_open"]) == 1 + 4
