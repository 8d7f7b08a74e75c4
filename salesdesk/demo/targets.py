"""The demo's targets: the user's, each teammate's and the team's, for this month and the
two before, won and collected, in the currencies their deals use.

Each is drawn around what the person did a month in the two months before (a teammate
who did little is given a share of the team's), from 75% to 135% of it, so some months
end ahead and some behind; from a generator of its own, after the rest of the story,
which stays as the seed told it.
"""

import random
from datetime import date

from salesdesk.core.money import exponent
from salesdesk.core.targets import MEASURES, MONTH, TEAM, TargetPeriod
from salesdesk.store.store import Store
from salesdesk.store.targets import TargetStore

MONTHS = 3  # this month and the two before
NEWCOMER_SHARE = 0.3  # of the team's, for someone with nothing done in a currency


def add_targets(store: Store, people: list[str], today: date, rng: random.Random) -> int:
    """Set the targets; how many were set."""
    targets = TargetStore(store)
    default = store.setting("currency")
    month = TargetPeriod.of(MONTH, today)
    # What each did a month, on average, in the two months before this one.
    average: dict[str, dict[tuple[str, str], float]] = {}
    for step in (-2, -1):
        for row in targets.board(month.shifted(step), today):
            mine = average.setdefault(row.person.casefold(), {})
            for progress in row.progress:
                key = (progress.measure, progress.currency)
                mine[key] = mine.get(key, 0.0) + progress.done / 2
    # The currencies each sells in, and what their deals in each are worth, for a month
    # without anything done to go by (a sixth of it).
    selling: dict[tuple[str, str], float] = {}
    for owner, currency, amount in store.db.execute(
        "SELECT owner, currency, sum(amount) FROM deals WHERE deleted_at IS NULL GROUP BY 1, 2"
    ):
        selling[(str(owner).casefold(), currency)] = amount / 6
    team = average.get(TEAM, {})
    currencies = sorted({currency for _owner, currency in selling} | {default})
    count = 0
    for step in range(-(MONTHS - 1), 1):
        period = str(month.shifted(step))
        team_targets: dict[tuple[str, str], int] = {}
        for person in people:
            mine = average.get(person.casefold(), {})
            for currency in currencies:
                for measure in MEASURES:
                    key = (measure, currency)
                    base = mine.get(key, 0.0) or selling.get((person.casefold(), currency), 0.0)
                    if base <= 0:
                        if currency != default:
                            continue  # a currency this person does not sell in
                        base = team.get(key, 0.0) * NEWCOMER_SHARE
                    if base <= 0:
                        continue
                    amount = _round(base * rng.uniform(0.75, 1.35), currency)
                    targets.set(person, period, measure, amount, currency)
                    team_targets[key] = team_targets.get(key, 0) + amount
                    count += 1
        for (measure, currency), amount in team_targets.items():  # a little over the sum
            targets.set(TEAM, period, measure, _round(amount * rng.uniform(1.0, 1.1), currency), currency)
            count += 1
    return count


def _round(amount: float, currency: str) -> int:
    """To a round thousand (of yen, a hundred thousand), never below it."""
    unit = 10 ** exponent(currency) * (100_000 if currency == "JPY" else 1_000)
    return max(unit, round(amount / unit) * unit)
