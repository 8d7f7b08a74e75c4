"""The demo's owners keep the customers they go on working.

A demo's story logs an owner's calls for years without thinking of the lead pool: a
customer quiet for a month last spring went back to the pool by the rules (core.pool),
yet its owner called it every week since, with a deal in negotiation. A salesperson
who works a customer the pool took claims it back first, so here, in rounds until
none is left, each owner claims back the customers they went on working: just before
their first call after the cool-down (a former owner cannot claim sooner), which
starts the pool's clock again from there. Customers nobody worked since they went back
stay in the pool, as the story meant them to.
"""

from datetime import date, datetime, timedelta

from salesdesk.core.dates import timestamp
from salesdesk.store.connection import write
from salesdesk.store.pool import Pool
from salesdesk.store.store import Store

_ROUNDS = 50  # each round moves a claim forward; stories need a handful
_BEFORE = timedelta(minutes=20)  # how long before the call its claim is made


def claim_back_worked(store: Store, clock, today: date) -> int:
    """Make each owner claim back the pooled customers they logged work on afterwards
    (see the module); return how many claims were made. Leaves `clock.moment` moved."""
    pool = Pool(store)
    cooldown = pool.rules().cooldown_days
    claims = 0
    for _ in range(_ROUNDS):
        pool.refresh(today)
        worked = store.db.execute(
            """SELECT k.customer_id, min(i.at) FROM pool_kept k
               JOIN interactions i INDEXED BY interactions_customer ON i.customer_id = k.customer_id
               WHERE k.owner != '' AND k.back_on <= ? AND i.by_user = k.owner AND i.deleted_at IS NULL
                 AND substr(i.at, 1, 10) >= date(k.back_on, ?)
               GROUP BY k.customer_id""",
            [today.isoformat(), f"+{cooldown} days"],
        ).fetchall()
        if not worked:
            return claims
        with write(store.db):
            for customer_id, at in worked:
                clock.moment = datetime.fromisoformat(at) - _BEFORE
                store.records.update("customers", customer_id, {"owned_since": timestamp(clock.moment)})
        claims += len(worked)
    pool.refresh(today)
    return claims
