"""The Reports screen's money collected and receivables, on the contracts of
tests.collections_seed (figures worked out there): asserted on what the panels show,
hidden while no contract has an amount, and how the screen looks."""

import pytest

from salesdesk.store.store import Store
from salesdesk.tui.widgets.bars import ReportPanel
from tests.collections_seed import seed_collections
from tests.conftest import FakeClock
from tests.tui.test_reports import _panel, _press, _snapshot, reports_screen
from tests.tui.test_reports import history as history  # noqa: F401  (a fixture)

MONEY = ("collected", "receivables", "owed-customers", "owed-people", "expected")


@pytest.fixture
def money(tmp_path):
    clock = FakeClock()
    store = Store.open(tmp_path / "money.db", "ann", clock)
    seed_collections(store, clock)
    yield store
    store.close()


def _shown(pilot, name: str) -> bool:
    return pilot.app.screen.query_one(f"#panel-{name}", ReportPanel).display


async def test_collected_this_period_against_the_one_before_and_the_median_days(money, tmp_path):
    async with reports_screen(money, tmp_path) as pilot:
        await _press(pilot, "m")  # everyone's
        lines = _panel(pilot, "collected")
        # Last 90 days (30 Aug to 27 Nov): Dune's $2,000, the partial $500, Cedar's $3,000,
        # Acme's $1,000; Birch's ¥50,000 less the ¥10,000 refund. The 90 days before: $2,000.
        assert lines[0].strip() == "Money collected: this period · the one before"
        usd = next(line for line in lines if line.startswith(" USD "))
        assert usd.endswith("$6.5k · $2k")
        cny = next(line for line in lines if line.startswith(" CNY "))
        assert cny.endswith("¥40k · ¥0")
        # Fully collected in the period: Cedar 14 days, Dune 39, Acme's second 51.
        assert lines[-1].startswith(" Signed → paid in full ")
        assert lines[-1].endswith("39.0d median of 3 contracts")


async def test_owed_by_age_by_customer_and_by_person(money, tmp_path):
    async with reports_screen(money, tmp_path) as pilot:
        ages = _panel(pilot, "receivables")
        # Mine (ann's): Acme's contract only; Birch is bob's customer.
        assert ages[1].strip() == "USD: $7,500 owed, $6,500 overdue"
        assert not any("CNY" in line for line in ages)
        assert ages[2].strip().startswith("not yet due") and ages[2].rstrip().endswith("$1k")
        assert ages[-1].strip().startswith("over 90 days") and "$1.5k" in ages[-1]
        assert len(ages) == 2 + 5  # title, currency, the five ages
        await _press(pilot, "m")
        assert "CNY: ¥10,000 owed, ¥10,000 overdue" in [line.strip() for line in _panel(pilot, "receivables")]
        customers = [line.strip() for line in _panel(pilot, "owed-customers")]
        assert (
            customers[1] == "USD"
            and customers[2].startswith("Acme")
            and customers[2].endswith("$7.5k · $6.5k")
        )
        assert customers[3] == "CNY" and customers[4].startswith("Birch")
        people = [line.strip() for line in _panel(pilot, "owed-people")]
        assert people[2].startswith("ann") and people[4].startswith("bob")


async def test_collections_expected_by_month_beside_the_weighted_forecast(money, tmp_path):
    async with reports_screen(money, tmp_path) as pilot:
        expected = [line.strip() for line in _panel(pilot, "expected")]
        assert expected[1] == "USD"
        assert expected[2].startswith("overdue") and expected[2].endswith("$6.5k · $0")
        assert expected[4].startswith("Dec 2026") and expected[4].endswith("$1k · $500")
        assert len(expected) == 2 + 1 + 6  # title, currency, overdue, six months


async def test_privacy_hides_the_money_collected(money, tmp_path):
    async with reports_screen(money, tmp_path) as pilot:
        pilot.app.privacy = True
        await _press(pilot)
        text = "".join(_panel(pilot, name)[1] + "".join(_panel(pilot, name)[2:]) for name in MONEY)
        assert "$" not in text and "•••" in text


async def test_without_contracts_the_panels_are_left_out(history, tmp_path):  # noqa: F811
    async with reports_screen(history, tmp_path) as pilot:
        assert not any(_shown(pilot, name) for name in MONEY)
        assert _shown(pilot, "summary")


async def test_the_panels_appear_with_a_first_contract(history, tmp_path):  # noqa: F811
    from tests.collections_seed import contract

    customer = history.add_customer("Oak")
    contract(history, customer, "C-2026-0042", 50_000, "USD", "2026-11-20")
    async with reports_screen(history, tmp_path) as pilot:
        assert all(_shown(pilot, name) for name in MONEY)
        assert _panel(pilot, "collected")[1].strip() == "Nothing received"
        assert (
            _panel(pilot, "receivables")[1].strip() == "USD: $500 owed, $500 overdue"
        )  # no plan: due on signing


class TestReportsCollections:
    def test_everyone(self, snap_compare, money, tmp_path):
        assert _snapshot(snap_compare, money, tmp_path, "m")


async def test_the_money_panels_wait_for_their_own_read(money, tmp_path):
    from tests.tui.conftest import settle

    async with reports_screen(money, tmp_path) as pilot:
        screen = pilot.app.screen
        report, read = screen.report, screen.collections
        assert read is not None
        # The rest of a newer report arrives first: the money panels say they are loading.
        screen._generation += 1
        screen.post_message(screen.Loaded(report, screen._generation))
        await settle(pilot)
        assert _panel(pilot, "receivables")[1].strip() == "loading…"
        # The money of the report before is not shown for the newer one...
        screen.post_message(screen.MoneyLoaded(read, screen._generation - 1))
        await settle(pilot)
        assert _panel(pilot, "receivables")[1].strip() == "loading…"
        # ...its own is.
        screen.post_message(screen.MoneyLoaded(read, screen._generation))
        await settle(pilot)
        assert _panel(pilot, "receivables")[1].strip() == "USD: $7,500 owed, $6,500 overdue"
