"""Value tiers in every currency, and their thresholds edited in the Today settings dialog."""

from salesdesk.store.customers import CustomerFilter
from salesdesk.tui.screens.today import TodayScreen
from salesdesk.tui.screens.today_dialogs import SettingsScreen
from tests.conftest import TODAY
from tests.tui.conftest import SIZE, make_app, settle
from tests.tui.test_board_scroll import demo, demo_file  # noqa: F401  (fixtures)


def _customer(store, name):
    return store.db.execute("SELECT id FROM customers WHERE name = ?", [name]).fetchone()[0]


async def test_tier_thresholds_per_currency_edited_in_settings(demo):  # noqa: F811
    yuan = _customer(demo, "朱艳")  # paid ¥141,000 in the demo
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        customers = app.screen
        assert customers.queries.detail(yuan, TODAY).row.tier == "B"  # not C, as if dollars
        await pilot.press("1", "comma")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, SettingsScreen)
        thresholds = dialog.query_one("#tier_thresholds-input")
        assert thresholds.value == "CNY 350000 70000, EUR 50000 10000, USD 50000 10000"
        assert dialog.query_one("#currency-input").value == "USD"
        thresholds.value = "CNY 100,000 50,000"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog  # refused, and says why
        assert "no thousands separators" in str(dialog.query_one("#tier_thresholds-hint").render())
        thresholds.value = "CNY 100000 50000, USD 50000 10000"
        dialog.query_one("#currency-input").value = "dollars"
        await pilot.press("enter")
        await settle(pilot)
        assert "three letters" in str(dialog.query_one("#currency-hint").render())
        dialog.query_one("#currency-input").value = "usd"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        assert demo.tier_thresholds() == {"CNY": (10_000_000, 5_000_000), "USD": (5_000_000, 1_000_000)}
        await pilot.press("3")
        await settle(pilot)
        assert customers.queries.detail(yuan, TODAY).row.tier == "A"
        top = customers.queries.page(CustomerFilter(tier="A"), TODAY, 0, 100)
        assert yuan in [row.id for row in top]
