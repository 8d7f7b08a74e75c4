"""The small demo's targets: its four people and the team, this month and the two before,
won and collected, some reached and some not; the rest of the demo as it was."""

from datetime import UTC, date, datetime

from salesdesk.core.targets import MONTH, TEAM, TargetPeriod
from salesdesk.demo import data, write_demo
from salesdesk.store.store import Store
from salesdesk.store.targets import TargetStore

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def test_the_small_demo_sets_targets_for_its_people_and_the_team(tmp_path):
    path = tmp_path / "demo.db"
    write_demo(path, "small", NOW, "ann")
    store = Store.open(path, "ann", lambda: NOW)
    try:
        targets = TargetStore(store)
        months = ("2026-09", "2026-10", "2026-11")
        found = targets.targets(list(months))
        assert {t.month for t in found} == set(months)
        people = {t.person for t in found}
        assert people == {"ann", *data.TEAMMATES, TEAM}
        assert {t.measure for t in found} == {"won", "collected"}
        percents = [
            p.percent
            for step in (-2, -1)
            for row in targets.board(TargetPeriod.of(MONTH, date(2026, 11, 1)).shifted(step), NOW.date())
            for p in row.progress
            if p.has_target
        ]
        assert any(p >= 100 for p in percents) and any(p < 100 for p in percents)
    finally:
        store.close()
