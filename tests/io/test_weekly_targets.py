"""The weekly summary's Targets: this month's and this quarter's progress, the person's or
(--all) each member's and the team's, tables read back with a markdown parser."""

from salesdesk.core.periods import IsoWeek
from salesdesk.io.weekly import render_weekly
from salesdesk.store.reports import ReportStore
from salesdesk.store.targets import TargetStore
from tests.conftest import TODAY
from tests.io.test_weekly import _check_tables
from tests.targets_seed import seed_targets

W48 = IsoWeek(2026, 48)


def _section(text: str) -> str:
    start = text.index("## Targets")
    end = text.find("\n## ", start + 1)
    return text[start : end if end >= 0 else None]


def test_the_persons_month_and_quarter(store, clock):
    seed_targets(store, clock)
    TargetStore(store).set("ann", "2026-10", "won", 5_000_00, "USD")
    text = render_weekly(ReportStore(store).weekly(W48, TODAY))
    section = _section(text)
    assert "### Nov 2026 (2 working days left)" in section
    assert "### 2026 Q4 (25 working days left)" in section
    tables = _check_tables(section)
    assert len(tables) == 2
    (header, month, _), (_header, quarter, _) = tables
    assert header == ["Measure", "Done", "Target", "%", "Needed a working day"]
    assert month == [
        ["Won", "$2,000", "$10,000", "20%", "$4,000"],
        ["Collected", "$1,500", "$1,000", "150%", "reached"],
    ]
    # The quarter: October's target added to November's; nothing was won in October.
    assert quarter[0] == ["Won", "$2,000", "$15,000", "13%", "$520"]


def test_everyone_is_a_row_per_member_measure_and_currency(store, clock):
    seed_targets(store, clock)
    text = render_weekly(ReportStore(store).weekly(W48, TODAY, everyone=True))
    tables = _check_tables(_section(text))
    header, rows, _ = tables[0]
    assert header == ["Person", "Measure", "Done", "Target", "%", "Needed a working day"]
    assert all(len(row) == 6 for row in rows)
    assert [row[:2] for row in rows] == [
        ["ann", "Won"],
        ["ann", "Collected"],
        ["bob", "Won"],
        ["bob", "Won"],
        ["李娜", "Collected"],
        ["Team", "Won"],
        ["Team", "Collected"],
    ]
    assert rows[3][2:4] == ["¥8,000", "¥50,000"]  # bob's yuan apart from his dollars
    assert rows[5][2:] == ["$7,000", "$40,000", "17%", "$16,500"]


def test_no_targets_no_section(store, clock):
    from tests.collections_seed import seed_collections

    seed_collections(store, clock)
    assert "## Targets" not in render_weekly(ReportStore(store).weekly(W48, TODAY, everyone=True))
