"""Targets over tests.collections_seed: November 2026, today Friday 27 November."""

from salesdesk.core import pipeline
from salesdesk.core.targets import TEAM
from salesdesk.store.store import Store
from salesdesk.store.targets import TargetStore
from tests.collections_seed import seed_collections
from tests.conftest import FakeClock
from tests.reports_seed import at


def seed_targets(store: Store, clock: FakeClock) -> None:
    """The collections seed, deals won in November (ann $2,000, bob ¥8,000 and $5,000),
    and November's targets of ann (ahead on collected), bob (behind) and the team."""
    ids = seed_collections(store, clock)
    won = pipeline.first_stage(store.stages(), pipeline.WON).id
    at(clock, 11, 3)
    store.add_deal(ids["Acme"], "november", 200_000, "USD", won)
    at(clock, 11, 20)
    store.add_deal(ids["Birch"], "bob's", 800_000, "CNY", won, owner="bob")
    store.add_deal(ids["Cedar"], "bob's kiosks", 500_000, "USD", won, owner="bob")
    at(clock, 11, 27)
    targets = TargetStore(store)
    targets.set("ann", "2026-11", "won", 10_000_00, "USD")
    targets.set("ann", "2026-11", "collected", 1_000_00, "USD")
    targets.set("bob", "2026-11", "won", 20_000_00, "USD")
    targets.set("bob", "2026-11", "won", 50_000_00, "CNY")
    targets.set("李娜", "2026-11", "collected", 3_000_00, "USD")
    targets.set(TEAM, "2026-11", "won", 40_000_00, "USD")
    targets.set(TEAM, "2026-11", "collected", 8_000_00, "USD")
