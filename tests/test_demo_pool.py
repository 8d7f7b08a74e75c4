"""The small demo's lead pool: leads nobody owns, a teammate's idle lead, two of the
user's about to go back (warned on Today), and one in the user's cool-down."""

from datetime import UTC, datetime, timedelta

from salesdesk.core.agenda import POOL_WARNING
from salesdesk.core.pool import NO_OWNER, WARNED
from salesdesk.demo import write_demo
from salesdesk.store.agenda import AgendaStore
from salesdesk.store.pool import Pool, PoolRefused
from salesdesk.store.store import Store

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
USER = "dana"


def test_the_small_demo_has_a_pool_to_show(tmp_path):
    path = tmp_path / "demo.db"
    write_demo(path, "small", NOW, USER)
    store = Store.open(path, USER, lambda: NOW)
    try:
        pool = Pool(store)
        rows = pool.page(TODAY, 0, 100)
        assert sum(row.state.reason == NO_OWNER for row in rows) == 2
        assert any(row.state.owner not in ("", USER) for row in rows)  # a teammate's
        warned = pool.warnings(USER, TODAY)
        assert sorted(row.state.days_left for row in warned) == [1, 2]
        assert all(row.state.kind == WARNED for row in warned)
        agenda = AgendaStore(store).load(TODAY)
        assert sorted(i.what for i in agenda.items if i.kind == POOL_WARNING) == ["Pool in 1d", "Pool in 2d"]
        cooling = [r for r in rows if r.state.owner == USER and r.state.back_on == TODAY.replace(day=24)]
        assert len(cooling) == 1
        try:
            pool.claim(cooling[0].customer_id, TODAY)
        except PoolRefused as refused:
            assert "you can claim it again from Tue 01 Dec" in str(refused)
        else:
            raise AssertionError("the former owner claimed it in the cool-down")
    finally:
        store.close()


def test_no_owner_goes_on_working_a_customer_the_pool_took(tmp_path):
    """The story logs calls without thinking of the pool; a customer it pooled whose
    owner called it after the cool-down was claimed back (demo.pool), not left there."""
    path = tmp_path / "demo.db"
    write_demo(path, "small", NOW, USER)
    store = Store.open(path, USER, lambda: NOW)
    try:
        pool = Pool(store)
        cooldown = timedelta(days=pool.rules().cooldown_days)
        pooled = [row for row in pool.page(TODAY, 0, 100) if row.state.owner]
        assert pooled  # the teammates' idle leads, the user's cool-down
        for row in pooled:
            assert row.state.back_on is not None
            worked = [
                i.at
                for i in store.interactions_of(row.customer_id, limit=1000)
                if i.by_user == row.state.owner and i.at[:10] >= (row.state.back_on + cooldown).isoformat()
            ]
            assert not worked, f"{row.name} is in the pool, yet {row.state.owner} called on {worked}"
    finally:
        store.close()
