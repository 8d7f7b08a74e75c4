"""Quotes in the app: q on a card makes one and shows it, ctrl+s sends it, a sent one is
frozen; the quotes' settings from the settings dialog; how the Quote dialog looks."""

from datetime import timedelta

import pytest
from textual.widgets import Checkbox, Static, TextArea

from salesdesk.store.lines import refresh
from salesdesk.store.quotes import QuoteStore
from salesdesk.tui.screens.quote import QuoteScreen
from salesdesk.tui.screens.today_dialogs import QuoteSettingsScreen, SettingsScreen
from tests.conftest import TODAY
from tests.tui.conftest import SIZE, make_app, no_blink, open_board, settle

LINES = [
    ("ThinkPad X1 Carbon", 50_000, 1_150_00, "none", 0),
    ("Docking station", 50_000, 120_00, "percent", 1500),
    ("On-site setup [bold]day[/]", 2_500, 900_00, "amount", 250_00),
]


def with_lines(store, deal_id):
    product = store.records.insert(
        "products", {"name": "ThinkPad X1 Carbon", "code": "TP-X1", "currency": "USD", "price": 1_150_00}
    )
    for position, (description, quantity, price, kind, discount) in enumerate(LINES):
        store.records.insert(
            "deal_lines",
            {
                "deal_id": deal_id,
                "product_id": product if position == 0 else None,
                "position": position,
                "description": description,
                "quantity_milli": quantity,
                "unit": "pcs" if position < 2 else "days",
                "unit_price": price,
                "discount_kind": kind,
                "discount": discount,
            },
        )
    refresh(store, [deal_id])


async def test_q_on_a_card_makes_the_quote_and_ctrl_s_sends_it(seeded):
    store, ids, _ = seeded
    deal_id = ids["50 laptops for Shenzhen"]  # in Lead: before Quote
    with_lines(store, deal_id)
    async with open_board(store, deal_id) as pilot:
        await pilot.press("q")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, QuoteScreen)
        [quote] = QuoteStore(store).quotes_of_deal(deal_id)
        assert (quote.number, quote.status, quote.total) == (
            "Q-2026-0001",
            "draft",
            store.deal(deal_id).amount,
        )
        assert "Q-2026-0001" in str(screen.query_one("#quote-title", Static).render())
        assert screen.query_one("#quote-move", Checkbox).value is True
        screen.query_one("#quote-terms", TextArea).text = "Delivery within 10 working days."
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(pilot.app.screen, QuoteScreen)
        sent = QuoteStore(store).get(quote.id)
        assert (sent.status, sent.terms) == ("sent", "Delivery within 10 working days.")
        assert store.deal(deal_id).stage_id == "stage-quote"
        customer = store.deal(deal_id).customer_id
        assert store.interactions_of(customer)[0].summary.startswith("Sent quote Q-2026-0001 (")
        [followup] = [f for f in store.open_followups_of_deal(deal_id) if "Q-2026-0001" in f.title]
        assert followup.due_date == (TODAY + timedelta(days=27)).isoformat()
        assert pilot.app.screen.board.focused_card.deal_id == deal_id


async def test_unticked_options_only_send(seeded):
    store, ids, _ = seeded
    deal_id = ids["50 laptops for Shenzhen"]
    with_lines(store, deal_id)
    before = len(store.open_followups_of_deal(deal_id))
    async with open_board(store, deal_id) as pilot:
        await pilot.press("q")
        await settle(pilot)
        screen = pilot.app.screen
        screen.query_one("#quote-move", Checkbox).value = False
        screen.query_one("#quote-followup", Checkbox).value = False
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert QuoteStore(store).latest_of_deal(deal_id).status == "sent"
    assert store.deal(deal_id).stage_id == "stage-lead"
    assert len(store.open_followups_of_deal(deal_id)) == before


async def test_a_sent_quote_opens_frozen_and_changed_lines_make_v2(seeded):
    store, ids, _ = seeded
    deal_id = ids["50 laptops for Shenzhen"]
    with_lines(store, deal_id)
    quotes = QuoteStore(store)
    first = quotes.make(deal_id, TODAY, "en")
    quotes.send(first.id, TODAY, False, None)
    async with open_board(store, deal_id) as pilot:
        await pilot.press("q")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, QuoteScreen) and screen.quote.id == first.id
        frozen = str(screen.query_one("#quote-frozen", Static).render())
        assert "frozen" in frozen and "Q-2026-0001 v2" in frozen
        assert screen.query_one("#quote-terms", TextArea).read_only
        await pilot.press("ctrl+s")  # nothing to send
        await settle(pilot)
        assert quotes.get(first.id).version == first.version + 1  # (sent once, not again)
        await pilot.press("escape")
        await settle(pilot)
        line = store.db.execute("SELECT id FROM deal_lines WHERE position = 0").fetchone()[0]
        store.records.update("deal_lines", line, {"quantity_milli": 60_000})
        refresh(store, [deal_id])
        await pilot.press("q")
        await settle(pilot)
        screen = pilot.app.screen
        assert (screen.quote.number, screen.quote.revision) == ("Q-2026-0001", 2)
        assert "Q-2026-0001 v2" in str(screen.query_one("#quote-title", Static).render())
    assert [q.revision for q in quotes.quotes_of_deal(deal_id)] == [2, 1]


async def test_q_on_a_deal_without_lines_says_so_and_makes_nothing(seeded):
    store, ids, _ = seeded
    async with open_board(store, ids["Fleet tracking pilot"]) as pilot:
        await pilot.press("q")
        await settle(pilot)
        assert not isinstance(pilot.app.screen, QuoteScreen)
        assert any("no lines to quote" in str(n.message) for n in pilot.app._notifications)
    assert store.db.execute("SELECT count(*) FROM quotes").fetchone()[0] == 0


async def test_quote_settings_from_the_settings_dialog(seeded):
    store, _ids, _ = seeded
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("comma")
        await settle(pilot)
        assert isinstance(app.screen, SettingsScreen)
        await pilot.press("ctrl+o")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, QuoteSettingsScreen)
        dialog.query_one("#quote_validity_days-input").value = "400"
        dialog.query_one("#seller_name-input").value = "Acme Trading"
        dialog.query_one("#seller_email-input").value = "sales@acme.example"
        dialog.query_one("#quote_terms", TextArea).text = "Prices exclude VAT."
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog  # 400 days refused, said beside the field
        assert "1 to 365" in str(dialog.query_one("#quote_validity_days-hint", Static).render())
        dialog.query_one("#quote_validity_days-input").value = "14"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, SettingsScreen)
    assert store.setting("quote_validity_days") == 14
    assert store.setting("quote_terms") == "Prices exclude VAT."
    assert store.setting("seller")["name"] == "Acme Trading"
    assert store.setting("seller")["email"] == "sales@acme.example"


class TestQuoteDialog:
    def test_a_draft_quote(self, snap_compare, seeded):
        store, ids, _ = seeded
        deal_id = ids["50 laptops for Shenzhen"]
        with_lines(store, deal_id)
        store.set_setting("quote_terms", "Payment within 30 days of delivery.")

        async def run_before(pilot):
            await settle(pilot)
            await pilot.press("2")
            await settle(pilot)
            pilot.app.screen.board.focus_deal(deal_id)
            await pilot.press("q")
            await settle(pilot)
            no_blink(pilot.app)
            pilot.app.screen.query_one("#quote-terms", TextArea).cursor_blink = False
            await settle(pilot)

        assert snap_compare(make_app(store), terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("which", ["quote", "quote-settings"])
async def test_the_dialogs_fit_a_small_terminal_and_every_field_scrolls_into_view(seeded, which):
    from textual.geometry import Region

    from tests.tui.test_small_terminal import SMALL, _shown, _view, _within

    store, ids, _ = seeded
    deal_id = ids["50 laptops for Shenzhen"]
    with_lines(store, deal_id)
    app = make_app(store)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        if which == "quote":
            await pilot.press("2")
            await settle(pilot)
            app.screen.board.focus_deal(deal_id)
            await pilot.press("q")
        else:
            await pilot.press("comma")
            await settle(pilot)
            await pilot.press("ctrl+o")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, QuoteScreen if which == "quote" else QuoteSettingsScreen)
        dialog = screen.query_one(".dialog")
        assert _within(Region(0, 0, *SMALL), dialog.region)
        for hint in screen.query(".dialog-keys"):
            assert _within(dialog.region, hint.region) and hint.region.height >= 1
        fields = [w for w in screen.query("*") if w.focusable and _shown(w)]
        assert len(fields) >= 3
        for field in fields:
            field.focus()
            await settle(pilot)
            await settle(pilot)
            assert field.region.height >= 1, f"{field!r} is not shown"
            assert _within(_view(field, dialog), field.region), f"{field!r} is scrolled out of view"


async def test_ctrl_e_writes_the_quote_as_html_into_the_export_folder(seeded, tmp_path, monkeypatch):
    from tests.tui.test_export_folder import messages, wait_for

    monkeypatch.setenv("XDG_DOCUMENTS_DIR", str(tmp_path / "Documents"))
    store, ids, _ = seeded
    deal_id = ids["50 laptops for Shenzhen"]
    with_lines(store, deal_id)
    async with open_board(store, deal_id) as pilot:
        await pilot.press("q")
        await settle(pilot)
        await pilot.press("ctrl+e")
        target = tmp_path / "Documents" / "salesdesk" / "Q-2026-0001.html"
        await wait_for(pilot, lambda: any("Wrote quote" in m for m in messages(pilot.app)))
        assert any(str(target) in m for m in messages(pilot.app))
        assert isinstance(pilot.app.screen, QuoteScreen)  # the dialog stays open
    html = target.read_text(encoding="utf-8")
    assert "Q-2026-0001" in html and "ThinkPad X1 Carbon" in html and "64,600.00" in html
    assert "[bold]day[/]" in html  # as typed, never markup


class TestSentQuoteDialog:
    def test_a_sent_quote_in_chinese(self, snap_compare, seeded):
        from salesdesk import i18n

        store, ids, _ = seeded
        deal_id = ids["50 laptops for Shenzhen"]
        with_lines(store, deal_id)
        quotes = QuoteStore(store)
        quotes.send(quotes.make(deal_id, TODAY, "zh").id, TODAY, True, 3)
        i18n.set_language(i18n.CHINESE)

        async def run_before(pilot):
            await settle(pilot)
            await pilot.press("2")
            await settle(pilot)
            pilot.app.screen.board.focus_deal(deal_id)
            await pilot.press("q")
            await settle(pilot)
            no_blink(pilot.app)
            await settle(pilot)

        assert snap_compare(make_app(store), terminal_size=SIZE, run_before=run_before)
