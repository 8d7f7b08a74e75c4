"""Privacy mode (`*`): no amount, phone, email or handle on any screen or in any dialog.

Each surface is opened twice on the same data, with privacy off and on: off, the secret
values are on screen (so the check can fail); on, none of them is, and the mark is.
"""

import html
import re
from collections.abc import Awaitable, Callable

import pytest
from textual.pilot import Pilot

from tests.tui.conftest import SIZE, make_app, no_blink, settle
from tests.tui.test_sync_app import other_window

PHONE, EMAIL, HANDLE = "+86 138-0013-8000", "wang@huaxin.cn", "wechat: wangwei_hx"
# What must not be seen: the contact details, and any amount of money.
SECRETS = re.compile(r"0013|huaxin\.cn|wangwei_hx|[$¥€£] ?\d|\d[\d,]*\.\d\d\b|62,?000|65000")


@pytest.fixture
def private(seeded):
    store, ids, _ = seeded
    wang = store.db.execute("SELECT id FROM customers WHERE name = 'Wang Wei'").fetchone()[0]
    store.update_customer(wang, {"phone": PHONE, "email": EMAIL, "handle": HANDLE})
    deal = ids["50 laptops for Shenzhen"]
    store.db.execute(
        "INSERT INTO conflicts (tbl, row_id, field, kept_value, kept_clock, lost_value, lost_clock, "
        "detected_at) VALUES (?, ?, ?, ?, 'k', ?, 'l', '2026-11-27T08:00:00.000Z')",
        ["customers", wang, "email", '"wang@huaxin.cn"', '"w.wei@huaxin.cn"'],
    )
    return store, {"wang": wang, **ids, "deal": deal}


def screen_text(pilot: Pilot) -> str:
    """Everything the terminal shows, as plain text, from the app's own screenshot."""
    svg = pilot.app.export_screenshot()
    return "".join(html.unescape(part) for part in re.findall(r"<text[^>]*>(.*?)</text>", svg, re.S))


async def _board(pilot, ids):
    await pilot.press("2")
    await settle(pilot)
    pilot.app.screen.board.focus_deal(ids["deal"])
    await settle(pilot)


async def _deal_dialog(pilot, ids):
    await _board(pilot, ids)
    await pilot.press("enter")


async def _new_deal(pilot, ids):
    await _board(pilot, ids)
    await pilot.press("n")
    await settle(pilot)
    await pilot.click("#amount-input")
    await pilot.press(*"65000")


async def _stale_dialog(pilot, ids):
    """The deal's dialog, its amount typed over while another window saves another one."""
    await _board(pilot, ids)
    await pilot.press("enter")
    await settle(pilot)
    other = other_window(pilot.app.store)
    try:
        amount = other.deal(ids["deal"]).amount + 100_00  # a new value on every run
        other.update_deal(ids["deal"], {"amount": amount})
    finally:
        other.close()
    pilot.app.screen.query_one("#amount-input").value = "65000"
    await pilot.press("ctrl+s")


async def _customers(pilot, ids):
    await pilot.press("3")
    await settle(pilot)
    pilot.app.screen.show_customer(ids["wang"])


async def _customer_form(pilot, ids):
    await _customers(pilot, ids)
    await settle(pilot)
    await pilot.press("e")


async def _reports(pilot, ids):
    await pilot.press("4")


async def _conflicts(pilot, ids):
    await pilot.press("5")


SURFACES: dict[str, Callable[[Pilot, dict[str, str]], Awaitable[None]]] = {
    "pipeline": _board,
    "deal-dialog": _deal_dialog,
    "new-deal-dialog": _new_deal,
    "changed-elsewhere-dialog": _stale_dialog,
    "customers": _customers,
    "customer-form": _customer_form,
    "reports": _reports,
    "conflicts": _conflicts,
}


async def _shown(store, ids, surface: str, privacy: bool) -> str:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.privacy = privacy
        await SURFACES[surface](pilot, ids)
        await settle(pilot)
        await settle(pilot)
        return screen_text(pilot)


@pytest.mark.parametrize("surface", SURFACES)
async def test_privacy_hides_every_amount_phone_email_and_handle(private, surface):
    store, ids = private
    plain = await _shown(store, ids, surface, privacy=False)
    assert SECRETS.search(plain), f"the {surface} shows nothing to hide: the check would prove nothing"
    hidden = await _shown(store, ids, surface, privacy=True)
    assert not SECRETS.search(hidden), f"the {surface} shows {SECRETS.search(hidden).group()!r}"


async def test_privacy_toggled_with_a_dialog_open_hides_its_values(private):
    store, ids = private
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _deal_dialog(pilot, ids)
        await settle(pilot)
        assert SECRETS.search(screen_text(pilot))
        app.privacy = True  # `*` typed into a field is a character: the app's toggle here
        await settle(pilot)
        assert not SECRETS.search(screen_text(pilot))
        app.privacy = False
        await settle(pilot)
        assert "62000.00" in screen_text(pilot)


def _snapshot(snap_compare, store, ids, surface: str):
    async def run_before(pilot):
        await settle(pilot)
        pilot.app.privacy = True
        await SURFACES[surface](pilot, ids)
        await settle(pilot)
        no_blink(pilot.app)
        await settle(pilot)

    return snap_compare(make_app(store), terminal_size=SIZE, run_before=run_before)


class TestPrivacy:
    """Every screen and dialog with privacy on (Today has no amount, phone or email)."""

    @pytest.mark.parametrize("surface", SURFACES)
    def test_surface(self, snap_compare, private, surface):
        store, ids = private
        assert _snapshot(snap_compare, store, ids, surface)
