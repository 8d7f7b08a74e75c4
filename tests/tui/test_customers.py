"""The Customers screen from the keyboard, asserted on the database, and how it looks."""

import io
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest
from rich.console import Console
from textual.widgets import Select

from salesdesk.tui.screens.customer_forms import (
    CustomerForm,
    DuplicateScreen,
    FilterScreen,
    InteractionForm,
    TagsScreen,
)
from tests.conftest import TODAY
from tests.tui.conftest import SIZE, make_app, no_blink, settle


@pytest.fixture
def crm(seeded):
    store, deals, clock = seeded
    clock.now -= timedelta(days=40)
    mallory = store.add_customer(
        "[bold]Mallory[/] \x1b[31m😀",
        company="[red]Evil[/red] 株式会社",
        phone="+44 20 7946 0666",
        email="mallory@evil.example",
    )
    store.log_interaction(mallory, "call", "Asked for [b]discount[/b]", body="Line one\nLine \x1b[2J two")
    clock.now += timedelta(days=40)
    wang = store.db.execute("SELECT id FROM customers WHERE name = 'Wang Wei'").fetchone()[0]
    store.update_customer(wang, {"phone": "+86 138-0013-8000", "email": "wang@huaxin.cn"})
    store.add_tag(wang, "vip")
    store.log_interaction(wang, "meeting", "Walked through the laptop quote", body="Wants 60 units.")
    return store, {"wang": wang, "mallory": mallory, **deals}


def shown(static) -> str:
    """The plain text a Static shows, however its content was built."""
    console = Console(width=200, file=io.StringIO(), color_system=None)
    console.print(static.content)
    return console.file.getvalue()


@asynccontextmanager
async def customers_screen(store, focus=None):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        if focus:
            app.screen.show_customer(focus)
            await settle(pilot)
            assert app.screen.current_id == focus
        yield pilot


async def test_find_a_customer_by_part_of_a_phone_number(crm):
    store, ids = crm
    async with customers_screen(store) as pilot:
        await pilot.press("slash", *"13800138", "enter")
        await settle(pilot)
        screen = pilot.app.screen
        assert screen.customer_list.total == 1
        assert screen.current_id == ids["wang"]


async def test_filters_by_segment_and_tag_combine(crm):
    store, ids = crm
    async with customers_screen(store) as pilot:
        await pilot.press("F")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, FilterScreen)
        dialog.query_one("#tag", Select).value = "vip"
        dialog.query_one("#segment", Select).value = "prospect"
        await pilot.press("ctrl+s")
        await settle(pilot)
        screen = pilot.app.screen
        assert screen.customer_list.total == 1 and screen.current_id == ids["wang"]
        assert store.segment_and_tier(ids["wang"], TODAY)[0] == "prospect"


async def test_tags_added_with_completion_and_removed(crm):
    store, ids = crm
    async with customers_screen(store, focus=ids["wang"]) as pilot:
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(pilot.app.screen, TagsScreen)
        await pilot.press(*"reseller", "enter")
        await pilot.press("tab", "space")  # untick vip, the first tag
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert store.tags_of(ids["wang"]) == ["reseller"]


async def test_log_a_call_and_book_the_next_step_in_one_form(crm):
    store, ids = crm
    async with customers_screen(store, focus=ids["wang"]) as pilot:
        await pilot.press("i")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, InteractionForm)
        form.query_one("#summary-input").value = "Agreed to send the revised quote"
        form.query_one("#next_due-input").value = "fri"
        form.query_one("#next_title-input").value = "Send revised quote"
        await pilot.press("ctrl+s")
        await settle(pilot)
        latest = store.interactions_of(ids["wang"])[0]
        assert (latest.kind, latest.summary, latest.by_user) == (
            "call",
            "Agreed to send the revised quote",
            "ann",
        )
        due = store.db.execute(
            "SELECT due_date, title FROM followups WHERE customer_id = ? AND title = 'Send revised quote'",
            [ids["wang"]],
        ).fetchone()
        assert due == ("2026-12-04", "Send revised quote")
        history = pilot.app.screen.query_one("#history")
        assert "Agreed to send the revised quote" in str(history.get_option_at_index(0).prompt)


async def test_adding_a_duplicate_offers_merge_and_merges(crm):
    store, ids = crm
    async with customers_screen(store) as pilot:
        await pilot.press("a")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, CustomerForm)
        await pilot.press(*"W. Wang")  # typing lands in the name field straight away
        assert form.query_one("#name-input").value == "W. Wang"
        form.query_one("#email-input").value = "WANG@huaxin.cn"
        form.query_one("#title-input").value = "Purchasing manager"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, DuplicateScreen)
        await pilot.press("m")
        await settle(pilot)
        live = store.db.execute(
            "SELECT count(*) FROM customers WHERE email = 'WANG@huaxin.cn' AND deleted_at IS NULL"
        ).fetchone()[0]
        assert live == 0
        wang = store.customer(ids["wang"])
        assert wang.title == "Purchasing manager"
        assert store.interactions_of(ids["wang"])[0].summary == "Merged W. Wang into this customer"
        assert pilot.app.screen.current_id == ids["wang"]


async def test_edit_validates_beside_the_field_and_keeps_what_was_typed(crm):
    store, ids = crm
    async with customers_screen(store, focus=ids["wang"]) as pilot:
        await pilot.press("e")
        await settle(pilot)
        form = pilot.app.screen
        form.query_one("#email-input").value = "not-an-email"
        form.query_one("#birthday-input").value = "2026-02-31"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is form
        assert "not an email" in shown(form.query_one("#email-hint"))
        assert "not a real date" in shown(form.query_one("#birthday-hint"))
        assert form.query_one("#email-input").value == "not-an-email"
        form.query_one("#email-input").value = "wei.wang@huaxin.cn"
        form.query_one("#birthday-input").value = "1985-03-15"
        await pilot.press("ctrl+s")
        await settle(pilot)
        wang = store.customer(ids["wang"])
        assert (wang.email, wang.birthday) == ("wei.wang@huaxin.cn", "1985-03-15")


async def test_delete_asks_then_leaves_a_tombstone(crm):
    store, ids = crm
    async with customers_screen(store, focus=ids["mallory"]) as pilot:
        await pilot.press("d", "n")
        await settle(pilot)
        assert store.records.get("customers", ids["mallory"]) is not None
        await pilot.press("d", "y")
        await settle(pilot)
        assert store.records.get("customers", ids["mallory"]) is None
        assert store.records.get("customers", ids["mallory"], include_deleted=True)["deleted_at"]
        assert pilot.app.screen.current_id != ids["mallory"]


async def test_new_deal_for_the_customer(crm):
    store, ids = crm
    async with customers_screen(store, focus=ids["mallory"]) as pilot:
        await pilot.press("n", *"Annual licence", "tab", *"2000", "enter")
        await settle(pilot)
        row = store.db.execute(
            "SELECT customer_id, amount FROM deals WHERE title = 'Annual licence'"
        ).fetchone()
        assert row == (ids["mallory"], 200_000)


async def test_privacy_hides_phones_emails_and_amounts_everywhere(crm):
    store, ids = crm
    async with customers_screen(store, focus=ids["wang"]) as pilot:
        await pilot.press("asterisk")
        await settle(pilot)
        head = shown(pilot.app.screen.query_one("#detail-head"))
        assert "138" not in head and "huaxin.cn" not in head and "•••" in head
        await pilot.press("2")
        await settle(pilot)
        board = pilot.app.screen.board
        assert "$" not in board.columns[0].render().plain
        await pilot.press("asterisk")
        await settle(pilot)
        assert "$" in board.columns[0].render().plain


async def test_hostile_text_is_shown_literally(crm):
    store, ids = crm
    async with customers_screen(store, focus=ids["mallory"]) as pilot:
        listing = pilot.app.screen.customer_list.render().plain
        assert "[bold]Mallory[/] ␛[" in listing  # the list cuts long names to their column
        head = shown(pilot.app.screen.query_one("#detail-head"))
        assert "[bold]Mallory[/] ␛[31m😀" in head and "[red]Evil[/red] 株式会社" in head
        assert "\x1b" not in listing + head


def _snapshot(snap_compare, store, *keys, focus=None, before=None):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        if focus:
            pilot.app.screen.show_customer(focus)
            await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)
        if before:
            before(pilot.app.screen)
            await settle(pilot)
        no_blink(pilot.app)
        await settle(pilot)

    return snap_compare(make_app(store), terminal_size=SIZE, run_before=run_before)


class TestCustomers:
    def test_list_with_detail(self, snap_compare, crm):
        store, ids = crm
        assert _snapshot(snap_compare, store, focus=ids["wang"])

    def test_history_expanded(self, snap_compare, crm):
        store, ids = crm
        assert _snapshot(snap_compare, store, "tab", "enter", focus=ids["mallory"])

    def test_customer_form(self, snap_compare, crm):
        store, ids = crm
        assert _snapshot(snap_compare, store, "e", focus=ids["wang"])

    def test_interaction_form(self, snap_compare, crm):
        store, ids = crm
        assert _snapshot(snap_compare, store, "i", focus=ids["wang"])

    def test_tags_dialog(self, snap_compare, crm):
        store, ids = crm
        assert _snapshot(snap_compare, store, "t", *"res", focus=ids["wang"])

    def test_duplicate_dialog(self, snap_compare, crm):
        store, ids = crm

        def fill(form):
            form.query_one("#name-input").value = "Wang Wei"
            form.query_one("#company-input").value = "Huaxin Technology"

        def submit(screen):
            fill(screen)
            screen.action_save()

        assert _snapshot(snap_compare, store, "a", before=submit)

    def test_filter_dialog(self, snap_compare, crm):
        store, _ = crm
        assert _snapshot(snap_compare, store, "F")

    def test_privacy_mode(self, snap_compare, crm):
        store, ids = crm
        assert _snapshot(snap_compare, store, "asterisk", focus=ids["wang"])


async def test_assign_a_customer_to_a_teammate(crm):
    store, ids = crm
    async with customers_screen(store, focus=ids["wang"]) as pilot:
        await pilot.press("O")
        await settle(pilot)
        await pilot.press(*"cai", "enter")
        await settle(pilot)
        assert store.customer(ids["wang"]).owner == "cai"


async def test_the_log_form_opens_on_its_summary_with_a_call_now_filled_in(crm):
    store, ids = crm
    async with customers_screen(store, focus=ids["wang"]) as pilot:
        await pilot.press("i")
        await settle(pilot)
        await pilot.press(*"Asked for a demo", "ctrl+s")
        await settle(pilot)
        latest = store.interactions_of(ids["wang"])[0]
        assert (latest.kind, latest.summary) == ("call", "Asked for a demo")
