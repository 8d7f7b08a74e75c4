"""The Reports screen from the keyboard, asserted on what it shows and writes, and how it looks.

The screen is pushed directly (its number key is wired into the app separately).
"""

from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from salesdesk.core.periods import preset_period
from salesdesk.store.reports import ReportStore
from salesdesk.store.store import Store
from salesdesk.tui.screens.reports import ReportsScreen
from salesdesk.tui.widgets.bars import ReportPanel
from tests.conftest import START, TODAY, FakeClock
from tests.reports_seed import HOSTILE_PERSON, HOSTILE_REASON, seed_reports
from tests.tui.conftest import SIZE, make_app, no_blink, settle

GOLDEN = Path(__file__).parent.parent / "io" / "golden"


@pytest.fixture
def history(tmp_path):
    clock = FakeClock()
    store = Store.open(tmp_path / "reports.db", "ann", clock)
    seed_reports(store, clock)
    yield store
    store.close()


async def _settle(pilot) -> None:
    for _ in range(2):
        await settle(pilot)
        await pilot.app.workers.wait_for_complete()
    await settle(pilot)


async def _press(pilot, *keys) -> None:
    for key in keys:
        await pilot.press(key)
        await _settle(pilot)


@asynccontextmanager
async def reports_screen(store: Store, folder: Path):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(ReportsScreen(store, user="ann", today=TODAY, folder=folder))
        await _settle(pilot)
        yield pilot


def _panel(pilot, name: str) -> list[str]:
    """The lines a panel shows, trailing blanks dropped."""
    panel = pilot.app.screen.query_one(f"#panel-{name}", ReportPanel)
    return [line.rstrip() for line in panel.render().plain.split("\n")]


def _line(pilot, name: str, label: str) -> str:
    return next(line for line in _panel(pilot, name) if line.startswith(f" {label} "))


def _status(pilot) -> str:
    return str(pilot.app.screen.query_one("#reports-status").render())


async def test_opens_on_the_last_90_days_of_my_work(history, tmp_path):
    async with reports_screen(history, tmp_path) as pilot:
        screen = pilot.app.screen
        assert screen.report == ReportStore(history).report(preset_period("last 90 days", TODAY), TODAY)
        assert _status(pilot).startswith("Last 90 days: 30 Aug – 27 Nov 2026  ·  mine")
        # Hazel (1 Sep), Birch and Cedar (Oct) join the 9 of the last 30 days; bob's deal leaves.
        assert _line(pilot, "funnel", "Lead").endswith("11  → 64%")
        assert _line(pilot, "stage-days", "Qualified").endswith("◀ bottleneck")
        assert _line(pilot, "summary", "Won").endswith("4  $12.2k")
        assert _line(pilot, "probability", "Lead").endswith("10% · 57%  (7 closed)")
        assert [line.split()[0] for line in _panel(pilot, "reasons")[1:]] == ["went", "price"]


async def test_this_week_matches_the_weekly_summary_and_is_written_with_x(history, tmp_path):
    async with reports_screen(history, tmp_path) as pilot:
        await _press(pilot, "p", "p", "p")
        assert _status(pilot).startswith("This week: 2026-W48, 23–29 Nov 2026  ·  mine")
        assert _line(pilot, "summary", "Won").endswith("1  $5k")
        assert _line(pilot, "summary", "Lost").endswith("1  $6k")
        await _press(pilot, "m")
        assert "everyone's" in _status(pilot)
        assert _line(pilot, "summary", "Won").endswith("2  $8k")  # as the golden summary's headline
        assert _line(pilot, "summary", "Win rate").endswith("67% of 3 closed")
        await _press(pilot, "x")
        written = tmp_path / "salesdesk-week-2026-W48.md"
        assert written.read_bytes() == (GOLDEN / "weekly-2026-W48-everyone.md").read_bytes()
        shown = str(pilot.app.screen.query_one("#reports-export").render())
        assert shown == f"Weekly summary written to {written}"


async def test_earlier_and_later_step_through_periods(history, tmp_path):
    async with reports_screen(history, tmp_path) as pilot:
        await _press(pilot, "p", "p", "p", "left_square_bracket")
        assert _status(pilot).startswith("2026-W47, 16–22 Nov 2026")
        assert _line(pilot, "summary", "Won").endswith("1  $1.2k")  # juniper-licence
        await _press(pilot, "x")
        assert (tmp_path / "salesdesk-week-2026-W47.md").exists()
        await _press(pilot, "right_square_bracket", "right_square_bracket")  # no further than today
        assert _status(pilot).startswith("This week: 2026-W48")
        await _press(pilot, "P")
        assert _status(pilot).startswith("Last 365 days: 28 Nov 2025 – 27 Nov 2026")


async def test_names_are_shown_literally_and_privacy_hides_amounts(history, tmp_path):
    async with reports_screen(history, tmp_path) as pilot:
        await _press(pilot, "m")
        reasons = _panel(pilot, "reasons")
        assert any(line.startswith(" price | too high␊[re") for line in reasons)  # cut to its column
        assert HOSTILE_REASON.split("\n")[0] in "\n".join(reasons)
        assert any(line.startswith(f" {HOSTILE_PERSON} ") for line in _panel(pilot, "activity"))
        await _press(pilot, "asterisk")
        assert _line(pilot, "summary", "Won").endswith("•••")
        assert "$" not in "".join(_panel(pilot, "by-week") + _panel(pilot, "forecast"))


def _snapshot(snap_compare, store: Store, folder: Path, *keys):
    async def run_before(pilot):
        await settle(pilot)
        pilot.app.push_screen(ReportsScreen(store, user="ann", today=TODAY, folder=folder))
        await _settle(pilot)
        await _press(pilot, *keys)
        no_blink(pilot.app)
        await settle(pilot)

    return snap_compare(make_app(store), terminal_size=SIZE, run_before=run_before)


class TestReports:
    def test_last_90_days(self, snap_compare, history, tmp_path):
        assert _snapshot(snap_compare, history, tmp_path)

    def test_this_week_everyone(self, snap_compare, history, tmp_path):
        assert _snapshot(snap_compare, history, tmp_path, "p", "p", "p", "m")

    def test_scrolled_to_the_end(self, snap_compare, history, tmp_path):
        assert _snapshot(snap_compare, history, tmp_path, "m", "end")

    def test_empty_database(self, snap_compare, tmp_path):
        store = Store.open(tmp_path / "empty.db", "ann", FakeClock())
        try:
            assert _snapshot(snap_compare, store, tmp_path)
        finally:
            store.close()


async def test_products_categories_and_quotes_of_the_week(history, tmp_path):
    async with reports_screen(history, tmp_path) as pilot:
        await _press(pilot, "p", "p", "p", "m")  # this week, everyone's: as the weekly summary
        products = _panel(pilot, "products")
        assert products[:2] == ["Won by product: revenue · quantity", "USD"]
        assert _line(pilot, "products", "Annual maintenance").endswith("$4.5k · 3 year")
        assert _line(pilot, "products", "Setup").endswith("$1.5k · 1.5 hour")
        assert products[-1].startswith(" other lines ") and products[-1].endswith("$400")
        # The product's name is shown literally (cut to its column), never as markup.
        assert any(line.startswith(" Sensor | kit [b]v2[/b") for line in products)
        assert [line.split("█")[0].strip() for line in _panel(pilot, "categories")[2:]] == [
            "Services",
            "Hardware",
            "(no category)",
            "other lines",
        ]
        assert _line(pilot, "top-quantity", "Annual maintenance").endswith("3 year · 2 deals")
        assert _line(pilot, "quotes", "Sent").endswith("1  $6k")
        assert _line(pilot, "quotes", "Accepted").endswith("1  $5k")
        assert _line(pilot, "quotes", "Expired").endswith("1  $1.5k")
        await _press(pilot, "m")  # mine: not bob's birch-upgrade (its Setup line)
        assert _line(pilot, "products", "Annual maintenance").endswith("$3k · 2 year")
        assert not any(line.startswith(" Setup ") for line in _panel(pilot, "products"))
        await _press(pilot, "asterisk")
        assert _line(pilot, "products", "Annual maintenance").endswith("••• · 2 year")
        assert "$" not in "".join(_panel(pilot, "products") + _panel(pilot, "quotes"))


async def test_a_period_without_lines_says_so(history, tmp_path):
    async with reports_screen(history, tmp_path) as pilot:
        await _press(pilot, "p", "p", "p", "m", "left_square_bracket", "left_square_bracket")  # W46
        assert _panel(pilot, "products")[1:] == ["No deal won in this period has lines."]
        assert _line(pilot, "quotes", "Sent").endswith("1  $5k")  # Q-2026-0001, sent 9 Nov


async def test_the_ten_products_with_the_most_revenue_then_how_many_more(tmp_path):
    from tests.reports_seed import add_line, add_product, at

    clock = FakeClock()
    store = Store.open(tmp_path / "many.db", "ann", clock)
    try:
        at(clock, 11, 2)
        deal = store.add_deal(store.add_customer("Oak"), "big order", 0, currency="USD")
        for n in range(12):
            add_line(
                store, deal, f"Part {n:02d}", 1_000, 100_000 * (n + 1), add_product(store, f"Part {n:02d}", 0)
            )
        add_line(store, deal, "Freight", 2_000, 50_000)
        at(clock, 11, 24)
        store.mark_won(deal)
        clock.now = START
        async with reports_screen(store, tmp_path) as pilot:
            lines = _panel(pilot, "products")[2:]
            assert [line.split("█")[0].strip() for line in lines[:10]] == [
                f"Part {n:02d}" for n in range(11, 1, -1)
            ]
            assert lines[10].strip() == "and 2 more products"
            assert lines[11].startswith(" other lines ") and lines[11].endswith("$1k")
            assert len(lines) == 12
    finally:
        store.close()
