"""A teammate's bad target or pool rule is held back with its reason; the rest merges."""

import json

import pytest

from salesdesk.core.targets import target_id
from salesdesk.sync import team as teamsync
from tests.sync.conftest import Device
from tests.sync.test_hostile import held_rows, inject

MOMENT = "2026-11-27T09:00:00.000Z"


@pytest.fixture
def crew(tmp_path):
    shared = tmp_path / "share"
    shared.mkdir()
    devices = [Device(tmp_path, name) for name in ("ann", "mal")]
    for device in devices:
        teamsync.join_plain(device.store, shared)
    yield devices
    for device in devices:
        device.store.close()


def target(**fields):
    values = {"person": "mal", "month": "2027-01", "measure": "won", "amount": 500_000_00, "currency": "CNY"}
    values.update(fields)
    return {
        "id": target_id(values["person"], values["month"], values["measure"], values["currency"]),
        **values,
        "created_at": MOMENT,
        "updated_at": MOMENT,
        "updated_by": "mal",
        "version": 1,
        "deleted_at": None,
    }


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"month": "2027-13"}, 'its target month is "2027-13", not a month such as 2027-01'),
        ({"month": "January"}, "not a month such as 2027-01"),
        ({"measure": "revenue"}, "its target measure is not won or collected"),
        ({"currency": "yuan"}, "its target currency is not a currency code"),
        ({"amount": -1}, "its target amount is below zero or too large"),
    ],
)
def test_a_bad_target_is_held_and_a_good_one_arrives(crew, fields, reason):
    ann, mal = crew
    bad = target(**fields)
    inject(mal, "targets", bad["id"], bad)
    mal.clock.advance(minutes=1)
    good = target(month="2027-02")
    inject(mal, "targets", good["id"], good)
    teamsync.sync_once(mal.store)
    teamsync.sync_once(ann.store)
    [(table, row_id, kind, said, author)] = held_rows(ann)
    assert (table, row_id, kind, author) == ("targets", bad["id"], "invalid", "mal")
    assert reason in said
    assert ann.store.db.execute("SELECT id, amount FROM targets").fetchall() == [(good["id"], 500_000_00)]


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        ("pool_idle_days", 0, "not a whole number from 1 to 3650"),
        ("pool_warn_days", "3", "not a whole number from 0 to 90"),
        ("pool_claim_limit", True, "not a whole number from 0 to 100000"),
        ("pool_tier_idle_days", {"A": 60, "Z": 1}, "not days per value tier A, B, C"),
        ("pool_tier_idle_days", [60, 45], "not days per value tier A, B, C"),
    ],
)
def test_a_bad_pool_rule_is_held_and_the_good_one_arrives(crew, key, value, reason):
    ann, mal = crew
    inject(mal, "settings", key, {"value": json.dumps(value)})
    mal.clock.advance(minutes=1)
    mal.store.set_setting("pool_cooldown_days", 14)
    teamsync.sync_once(mal.store)
    teamsync.sync_once(ann.store)
    [(table, row_id, kind, said, author)] = held_rows(ann)
    assert (table, row_id, kind, author) == ("settings", key, "invalid", "mal") and reason in said
    assert ann.store.setting("pool_cooldown_days") == 14
