"""A seeded pipeline, a fixed today, and the one terminal size every UI test uses."""

import os
import time
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest

from salesdesk.store.store import Store
from salesdesk.tui.app import SalesdeskApp
from tests.conftest import START, TODAY, FakeClock

SIZE = (120, 40)

# Times are shown in local time: pin it so snapshots do not depend on the machine.
os.environ["TZ"] = "UTC"
time.tzset()
# The documents folder the export folder defaults to, shown in the settings dialog: fixed
# for the snapshots, and a path nothing can be written under, so no test writes into the
# real one (a test that exports gives a folder of its own).
os.environ["XDG_DOCUMENTS_DIR"] = os.path.join(os.devnull, "Documents")

DEALS = [
    # customer, company, deal, amount in dollars, stage, days in stage, follow-up in days (None: none)
    ("Wang Wei", "Huaxin Technology", "50 laptops for Shenzhen", 62_000, "stage-lead", 3, 2),
    ("Sarah Miller", "Northwind Retail", "POS terminals, 12 stores", 48_500, "stage-lead", 30, None),
    ("李娜", "华信科技有限公司", "ERP rollout phase 2", 120_000, "stage-qualified", 5, -3),
    ("Tom Baker", "Baker & Sons", "Annual support renewal", 9_900, "stage-quote", 12, 7),
    ("Chen Jing", "Pearl River Logistics", "Fleet tracking pilot", 35_000, "stage-negotiation", 8, 1),
    ("Emma Clark", "Clark Health", "Clinic tablets", 22_000, "stage-signed", 2, None),
    ("David Lee", "Lee Education", "Classroom displays", 15_000, "stage-paid", 20, None),
]


def seed_pipeline(store: Store, clock: FakeClock) -> dict[str, str]:
    """Deals across the board with known names; returns deal title -> id."""
    ids = {}
    for customer, company, title, dollars, stage, days, follow in DEALS:
        clock.now = START - timedelta(days=days)
        customer_id = store.add_customer(customer, company=company)
        deal_id = store.add_deal(customer_id, title, dollars * 100, stage_id=stage)
        if follow is not None:
            store.add_followup(
                customer_id, TODAY + timedelta(days=follow), f"Call {customer}", deal_id=deal_id
            )
        ids[title] = deal_id
    lost_customer = store.add_customer("Olivia Stone", company="Stone Works")
    lost = store.add_deal(lost_customer, "Warehouse shelving", 30_000_00, stage_id="stage-quote")
    store.mark_lost(lost, "price too high")
    clock.now = START
    return ids


@pytest.fixture
def seeded(tmp_path):
    clock = FakeClock()
    store = Store.open(tmp_path / "pipeline.db", "ann", clock)
    ids = seed_pipeline(store, clock)
    yield store, ids, clock
    store.close()


def make_app(store: Store) -> SalesdeskApp:
    app = SalesdeskApp(store, user="ann", today=TODAY)
    app.animation_level = "none"
    return app


@asynccontextmanager
async def open_board(store: Store, focus: str | None = None):
    """The app on its Pipeline, settled, with the focus on a deal if one is named."""
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")  # the app opens on Today
        await settle(pilot)
        if focus is not None:
            assert app.screen.board.focus_deal(focus)
            await settle(pilot)
            assert app.screen.board.focused_card.deal_id == focus
        yield pilot


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.pause()


def no_blink(app) -> None:
    from textual.widgets import Input

    for screen in app.screen_stack:
        for box in screen.query(Input):
            box.cursor_blink = False
