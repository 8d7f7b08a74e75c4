"""After-sales cases from the Customers screen: opened with `s` and its dialog, the
product found as one types or kept as free text, the status changed from the pane's
list, a storage error that keeps what was typed, and how the pane looks with a case."""

import sqlite3
from datetime import timedelta

import pytest

from salesdesk.store.cases import CaseStore
from salesdesk.store.products import ProductStore
from salesdesk.tui.screens.case_forms import CaseForm
from salesdesk.tui.screens.customers import CustomersScreen
from salesdesk.tui.widgets.cases import CaseList, CasesSection
from tests.conftest import TODAY
from tests.tui.conftest import SIZE, make_app, no_blink, settle
from tests.tui.test_customers import customers_screen


@pytest.fixture
def shop(seeded):
    store, deals, clock = seeded
    products = ProductStore(store)
    printer = products.add("Laser printer LP-200", code="LP-200", price=3_500_00)
    products.add("Toner cartridge", code="TC-9", price=300_00)
    wang = store.db.execute("SELECT id FROM customers WHERE name = 'Wang Wei'").fetchone()[0]
    return store, {"wang": wang, "printer": printer}


def history(store, customer_id):
    return [i.summary for i in store.interactions_of(customer_id)]


async def test_s_opens_a_case_for_the_customer_with_a_product_found_as_one_types(shop):
    store, ids = shop
    async with customers_screen(store, focus=ids["wang"]) as pilot:
        assert not pilot.app.screen.query_one(CasesSection).display  # no case yet: no section
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CaseForm)
        await pilot.press(*"Printer jams", "tab", *"lp-2")
        await settle(pilot)
        await pilot.press("tab", "tab", *"Tray 2 since Monday", "ctrl+s")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, CustomersScreen)
        [listed] = CaseStore(store).of_customer(ids["wang"])
        case = listed.case
        assert (case.title, case.product_id, case.opened_on, case.status, case.notes) == (
            "Printer jams",
            ids["printer"],
            TODAY.isoformat(),
            "open",
            "Tray 2 since Monday",
        )
        assert history(store, ids["wang"])[0] == "Case opened: Printer jams"
        section = screen.query_one(CasesSection)
        assert section.display and section.listing.option_count == 1
        assert "Printer jams" in str(section.listing.get_option_at_index(0).prompt)
        assert "Laser printer LP-200" in str(section.listing.get_option_at_index(0).prompt)


async def test_a_product_not_in_the_catalogue_is_kept_as_free_text_in_the_notes(shop):
    store, ids = shop
    async with customers_screen(store, focus=ids["wang"]) as pilot:
        await pilot.press("s")
        await settle(pilot)
        await pilot.press(*"Wants a second training", "tab", *"Onboarding", "down", "ctrl+s")
        await settle(pilot)
        [listed] = CaseStore(store).of_customer(ids["wang"])
        assert (listed.case.product_id, listed.case.notes) == (None, "Product: Onboarding")


async def test_a_case_without_a_title_or_opened_ahead_is_refused_beside_its_field(shop):
    store, ids = shop
    async with customers_screen(store, focus=ids["wang"]) as pilot:
        await pilot.press("s")
        await settle(pilot)
        form = pilot.app.screen
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is form
        assert form.field("title").has_class("-invalid")
        await pilot.press(*"Printer jams")
        form.field("opened").input.value = (TODAY + timedelta(days=2)).isoformat()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is form and form.field("opened").has_class("-invalid")
        form.field("opened").input.value = "yesterday"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is not form
        [listed] = CaseStore(store).of_customer(ids["wang"])
        assert listed.case.opened_on == (TODAY - timedelta(days=1)).isoformat()


async def test_a_storage_error_keeps_the_dialog_open_with_what_was_typed(shop, monkeypatch):
    store, ids = shop
    async with customers_screen(store, focus=ids["wang"]) as pilot:
        await pilot.press("s")
        await settle(pilot)
        form = pilot.app.screen
        await pilot.press(*"Printer jams")
        real = CaseStore.open_case

        def full(self, *args, **kwargs):
            raise sqlite3.OperationalError("database or disk is full")

        monkeypatch.setattr(CaseStore, "open_case", full)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is form and form.field("title").value == "Printer jams"
        assert any("ctrl+s again" in n.message for n in pilot.app._notifications)
        monkeypatch.setattr(CaseStore, "open_case", real)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is not form
        assert [c.case.title for c in CaseStore(store).of_customer(ids["wang"])] == ["Printer jams"]


async def test_the_status_changes_from_the_panes_list_and_is_on_the_history(shop):
    store, ids = shop
    cases = CaseStore(store)
    case_id = cases.open_case(ids["wang"], "Printer jams", product_id=ids["printer"], opened_on=TODAY)
    async with customers_screen(store, focus=ids["wang"]) as pilot:
        listing = pilot.app.screen.query_one(CaseList)
        listing.focus()
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        assert cases.get(case_id).status == "waiting"
        assert pilot.app.screen.focused is listing
        await pilot.press("x")
        await settle(pilot)
        assert (cases.get(case_id).status, cases.get(case_id).closed_on) == ("closed", TODAY.isoformat())
        await pilot.press("o")
        await settle(pilot)
        assert (cases.get(case_id).status, cases.get(case_id).closed_on) == ("open", None)
        assert history(store, ids["wang"])[:3] == [
            "Case reopened: Printer jams",
            "Case closed: Printer jams",
            "Case opened: Printer jams",
        ]
        await pilot.press("enter")  # edit the case
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, CaseForm)
        assert form.field("product").value == "Laser printer LP-200"
        await pilot.press(*" on tray 2", "ctrl+s")
        await settle(pilot)
        assert (cases.get(case_id).title, cases.get(case_id).product_id) == (
            "Printer jams on tray 2",
            ids["printer"],
        )


def test_pane_with_a_case(snap_compare, shop):
    store, ids = shop
    cases = CaseStore(store)
    cases.open_case(ids["wang"], "Printer jams on tray 2", product_id=ids["printer"], opened_on=TODAY)
    waiting = cases.open_case(ids["wang"], "Asks for a second training", opened_on=TODAY - timedelta(days=3))
    cases.set_status(waiting, "waiting", TODAY)
    done = cases.open_case(ids["wang"], "Invoice address wrong", opened_on=TODAY - timedelta(days=20))
    cases.set_status(done, "closed", TODAY - timedelta(days=18))

    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        pilot.app.screen.show_customer(ids["wang"])
        await settle(pilot)
        no_blink(pilot.app)
        await settle(pilot)

    assert snap_compare(make_app(store), terminal_size=SIZE, run_before=run_before)


def test_case_form(snap_compare, shop):
    store, ids = shop

    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        pilot.app.screen.show_customer(ids["wang"])
        await settle(pilot)
        await pilot.press("s", *"Printer jams", "tab", "l", "p")
        await settle(pilot)
        no_blink(pilot.app)
        await settle(pilot)

    assert snap_compare(make_app(store), terminal_size=SIZE, run_before=run_before)


async def test_the_cases_and_their_dialog_in_chinese(shop):
    from salesdesk import i18n

    store, ids = shop
    CaseStore(store).open_case(ids["wang"], "打印机卡纸", product_id=ids["printer"], opened_on=TODAY)
    i18n.set_language(i18n.CHINESE)
    async with customers_screen(store, focus=ids["wang"]) as pilot:
        section = pilot.app.screen.query_one(CasesSection)
        title = str(section.query_one("#cases-title").render())
        prompt = str(section.listing.get_option_at_index(0).prompt)
        assert title == "售后工单" and prompt.startswith("处理中") and "打印机卡纸" in prompt
        await pilot.press("s")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, CaseForm)
        assert str(form.query_one(".dialog-title").render()).startswith("为 Wang Wei 登记售后工单")
        await pilot.press(*"Toner", "ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is not form
        assert store.interactions_of(ids["wang"])[0].summary == "登记售后工单：Toner"
