"""The lead pool (公海) of this copy on a day: who is in it and why, who is about to go
back, and claiming.

Membership follows from the records and the rules (`core.pool`). Working it out from
every interaction on each read would cost the Pool view and Today seconds on a large
database, so this copy keeps, per eligible customer, the day it goes back and why
(`pool_kept`, migration 20, never synced). Triggers mark a customer dirty on any write
of its record, deals or interactions (`pool_dirty`), whoever writes: the store, a
merge, an undo. `refresh` works the dirty customers out again before each read; other
rules, or tier thresholds, work everyone out again; another day works out again the
customers whose tier can change with the day (those with a won deal).
"""

import json
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from salesdesk.core.dates import timestamp
from salesdesk.core.errors import SalesdeskError
from salesdesk.core.pool import (
    POOL_LIMITS,
    POOLED,
    TIER_IDLE_SETTING,
    WARNED,
    PoolFacts,
    PoolRules,
    PoolState,
    back_on,
    claim_refusal,
    pool_rules,
    state_of,
)
from salesdesk.core.segments import tier
from salesdesk.i18n import _, short_date
from salesdesk.store.connection import connect, write

if TYPE_CHECKING:
    from salesdesk.core.agenda import AgendaItem
    from salesdesk.store.store import Store

_CHUNK = 20_000  # dirty customers worked out at a time


class PoolRefused(SalesdeskError):
    """A claim the rules do not allow; the message says why in one sentence."""


@dataclass(frozen=True)
class PoolRow:
    """A customer in the pool, or one of a person's about to go back."""

    customer_id: str
    name: str
    company: str
    state: PoolState


@dataclass(frozen=True)
class PoolPage:
    """What the Pool view shows: the rules, the first rows, and how many there are in all."""

    rules: PoolRules
    rows: list[PoolRow]
    total: int


def _day(stamp: str) -> date:
    return date.fromisoformat(stamp[:10])


class Pool:
    def __init__(self, store: "Store"):
        self.store = store
        self.db = store.db

    # -- keeping the rows -------------------------------------------------------

    def rules(self) -> PoolRules:
        """The rules as the settings say now, read in one query."""
        return pool_rules(self.store.settings_of((*POOL_LIMITS, TIER_IDLE_SETTING)).get)

    def _key(self, rules: PoolRules) -> str:
        thresholds = self.store.tier_thresholds()
        return json.dumps(
            [
                rules.idle_days,
                sorted(rules.tier_idle_days.items()),
                rules.no_deal_days,
                sorted((c, list(p)) for c, p in thresholds.items()),
            ]
        )

    def _meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM pool_kept_meta WHERE key = ?", [key]).fetchone()
        return None if row is None else str(row[0])

    def refresh(self, today: date, rules: PoolRules | None = None) -> int:
        """Work out again the customers whose kept rows no longer hold; how many. `rules`:
        the rules, when the caller has read them already."""
        rules = rules or self.rules()
        key = self._key(rules)
        same_rules = self._meta("rules") == key
        same_day = self._meta("day") == today.isoformat()
        if same_rules and same_day and self.db.execute("SELECT 1 FROM pool_dirty LIMIT 1").fetchone() is None:
            return 0  # nothing to do: no write, no lock
        try:
            return self._refresh(rules, key, today)
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode & 0xFF not in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM):
                raise
            return 0  # a copy that cannot be written shows the rows it kept

    def _refresh(self, rules: PoolRules, key: str, today: date) -> int:
        with write(self.db):
            if self._meta("rules") != key:
                self.db.execute("INSERT OR IGNORE INTO pool_dirty (customer_id) SELECT id FROM customers")
            elif (kept_day := self._meta("day")) != today.isoformat():
                # A tier can change with the day: the customers with a won deal that came
                # into, or left, the twelve months between the two days.
                first, last = sorted([date.fromisoformat(kept_day or today.isoformat()), today])
                self.db.execute(
                    """INSERT OR IGNORE INTO pool_dirty (customer_id)
                       SELECT k.customer_id FROM pool_kept k WHERE k.has_won AND EXISTS (
                           SELECT 1 FROM deals d JOIN stages s ON s.id = d.stage_id
                           WHERE d.customer_id = k.customer_id AND d.deleted_at IS NULL
                             AND s.kind = 'won' AND d.closed_on >= ? AND d.closed_on < ?)""",
                    [(first - timedelta(days=365)).isoformat(), (last - timedelta(days=365)).isoformat()],
                )
            total = 0
            while True:
                dirty = [
                    r[0] for r in self.db.execute("SELECT customer_id FROM pool_dirty LIMIT ?", [_CHUNK])
                ]
                if not dirty:
                    break
                wanted = json.dumps(dirty)
                self.db.execute(
                    "DELETE FROM pool_kept WHERE customer_id IN (SELECT value FROM json_each(?))", [wanted]
                )
                self.db.conn.executemany(
                    "INSERT INTO pool_kept (customer_id, owner, start, has_won, tier, back_on, reason, "
                    "since) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    self._work_out(dirty, rules, today),
                )
                self.db.execute(
                    "DELETE FROM pool_dirty WHERE customer_id IN (SELECT value FROM json_each(?))", [wanted]
                )
                total += len(dirty)
            for name, value in (("rules", key), ("day", today.isoformat())):
                self.db.execute(
                    "INSERT OR REPLACE INTO pool_kept_meta (key, value) VALUES (?, ?)", [name, value]
                )
        return total

    def _work_out(
        self, customer_ids: list[str], rules: PoolRules, today: date
    ) -> list[tuple[str, str, str, int, str, str, str, str]]:
        """The kept rows of these customers, from their records (three queries)."""
        wanted = json.dumps(customer_ids)
        year_ago = (today - timedelta(days=365)).isoformat()
        customers: dict[str, tuple[str, date]] = {
            customer_id: (owner, _day(start))
            for customer_id, owner, start in self.db.execute(
                "SELECT id, owner, coalesce(owned_since, created_at) FROM customers "
                "WHERE id IN (SELECT value FROM json_each(?)) AND deleted_at IS NULL",
                [wanted],
            )
        }
        deal_days: dict[str, list[date]] = {}
        open_deals: set[str] = set()
        won: dict[str, dict[str, int]] = {}
        for customer_id, kind, created, closed, amount, currency in self.db.execute(
            "SELECT d.customer_id, s.kind, d.created_at, d.closed_on, d.amount, d.currency "
            "FROM deals d JOIN stages s ON s.id = d.stage_id "
            "WHERE d.customer_id IN (SELECT value FROM json_each(?)) AND d.deleted_at IS NULL",
            [wanted],
        ):
            deal_days.setdefault(customer_id, []).append(_day(created))
            if kind == "open":
                open_deals.add(customer_id)
            elif kind == "won":
                revenue = won.setdefault(customer_id, {})
                if closed and closed >= year_ago:
                    revenue[currency] = revenue.get(currency, 0) + amount
        touches: dict[str, list[date]] = {}
        for customer_id, at in self.db.execute(
            "SELECT i.customer_id, substr(i.at, 1, 10) FROM interactions i INDEXED BY interactions_customer "
            "JOIN customers c ON c.id = i.customer_id "
            "WHERE i.customer_id IN (SELECT value FROM json_each(?)) AND i.deleted_at IS NULL "
            "AND c.owner != '' AND i.by_user = c.owner "
            "AND substr(i.at, 1, 10) >= substr(coalesce(c.owned_since, c.created_at), 1, 10)",
            [wanted],
        ):
            touches.setdefault(customer_id, []).append(date.fromisoformat(at))
        thresholds = self.store.tier_thresholds()
        rows = []
        for customer_id, (owner, start) in customers.items():
            if customer_id in won and customer_id not in open_deals:
                continue  # a customer who bought, with nothing open: never in the pool
            value_tier = tier(won[customer_id], thresholds) if customer_id in won else "C"
            facts = PoolFacts(
                owner, start, touches.get(customer_id, ()), deal_days.get(customer_id, ()), value_tier
            )
            back, reason, since = back_on(facts, rules)
            rows.append(
                (
                    customer_id,
                    owner,
                    start.isoformat(),
                    int(customer_id in won),
                    value_tier,
                    back.isoformat(),
                    reason,
                    since.isoformat(),
                )
            )
        return rows

    # -- reading ----------------------------------------------------------------

    def _rows(self, sql: str, params: list[object], rules: PoolRules, today: date) -> list[PoolRow]:
        return [
            PoolRow(
                customer_id,
                name,
                company,
                state_of(date.fromisoformat(back), reason, date.fromisoformat(since), owner, rules, today),
            )
            for customer_id, name, company, owner, back, reason, since in self.db.execute(sql, params)
        ]

    @staticmethod
    def _search(text: str) -> tuple[str, list[object]]:
        text = text.strip()
        if not text:
            return "", []
        like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return (
            " AND (c.name LIKE ? ESCAPE '\\' OR c.company LIKE ? ESCAPE '\\' OR k.owner LIKE ? ESCAPE '\\')",
            [like, like, like],
        )

    def page(self, today: date, offset: int = 0, limit: int = 100, search: str = "") -> list[PoolRow]:
        """The customers in the pool on `today`, the latest to go back first."""
        self.refresh(today)
        where, params = self._search(search)
        return self._rows(
            "SELECT k.customer_id, c.name, c.company, k.owner, k.back_on, k.reason, k.since "
            "FROM pool_kept k JOIN customers c ON c.id = k.customer_id "
            f"WHERE k.back_on <= ?{where} ORDER BY k.back_on DESC, k.customer_id LIMIT ? OFFSET ?",
            [today.isoformat(), *params, limit, offset],
            self.rules(),
            today,
        )

    def first_page(self, today: date, limit: int, search: str = "") -> PoolPage:
        """The latest `limit` to go back, and the count of all (read only when there are more)."""
        rows = self.page(today, 0, limit, search)
        total = len(rows) if len(rows) < limit else self.count(today, search)
        return PoolPage(self.rules(), rows, total)

    @classmethod
    def first_page_from(
        cls, path: Path, user: str, clock: Callable[[], datetime], today: date, limit: int, search: str = ""
    ) -> PoolPage:
        """`first_page` on a connection of its own, for a worker thread: after a large
        upgrade, the first read works every customer out (seconds), off the UI thread."""
        from salesdesk.store.store import Store

        db = connect(path)
        try:
            return cls(Store(db, user, clock)).first_page(today, limit, search)
        finally:
            db.close()

    def count(self, today: date, search: str = "") -> int:
        self.refresh(today)
        where, params = self._search(search)
        join = " JOIN customers c ON c.id = k.customer_id" if where else ""
        return int(
            self.db.execute(
                f"SELECT count(*) FROM pool_kept k{join} WHERE k.back_on <= ?{where}",
                [today.isoformat(), *params],
            ).fetchone()[0]
        )

    def warnings(self, person: str | None, today: date) -> list[PoolRow]:
        """The customers of `person` (None: everyone's) that go back to the pool within
        the warning days."""
        rules = self.rules()
        self.refresh(today, rules)
        if person == "" or rules.warn_days <= 0:
            return []
        last = today + timedelta(days=rules.warn_days)
        whose = "k.owner = ?" if person is not None else "k.owner != ?"
        rows = self._rows(
            "SELECT k.customer_id, c.name, c.company, k.owner, k.back_on, k.reason, k.since "
            "FROM pool_kept k JOIN customers c ON c.id = k.customer_id "
            f"WHERE {whose} AND k.back_on > ? AND k.back_on <= ? ORDER BY k.back_on, c.name",
            [person or "", today.isoformat(), last.isoformat()],
            rules,
            today,
        )
        return [row for row in rows if row.state.kind == WARNED]

    def state(self, customer_id: str, today: date) -> PoolState:
        """Where one customer stands on `today`."""
        from salesdesk.core.pool import NOT_ELIGIBLE

        self.refresh(today)
        row = self.db.execute(
            "SELECT owner, back_on, reason, since FROM pool_kept WHERE customer_id = ?", [customer_id]
        ).fetchone()
        if row is None:
            return PoolState(NOT_ELIGIBLE, self.store.customer(customer_id).owner)
        owner, back, reason, since = row
        return state_of(
            date.fromisoformat(back), reason, date.fromisoformat(since), owner, self.rules(), today
        )

    def peek(self, customer_id: str, today: date, rules: PoolRules | None = None) -> PoolState:
        """Where one customer stands on `today`, worked out from its records as they are
        now, writing nothing (`state` brings the kept rows up to date first, a write).
        `rules`: the rules, when the caller has read them already."""
        from salesdesk.core.pool import NOT_ELIGIBLE

        rules = rules or self.rules()
        kept = (
            self._meta("rules") == self._key(rules)
            and self._meta("day") == today.isoformat()
            and self.db.execute("SELECT 1 FROM pool_dirty WHERE customer_id = ?", [customer_id]).fetchone()
            is None
        )
        if kept:  # its kept row holds: one lookup, not its whole history (thousands of calls)
            row = self.db.execute(
                "SELECT owner, back_on, reason, since FROM pool_kept WHERE customer_id = ?", [customer_id]
            ).fetchone()
        else:
            worked = self._work_out([customer_id], rules, today)
            row = (worked[0][1], *worked[0][5:]) if worked else None
        if row is None:
            return PoolState(NOT_ELIGIBLE, "")
        owner, back, reason, since = row
        return state_of(date.fromisoformat(back), reason, date.fromisoformat(since), owner, rules, today)

    def held_by(self, person: str, today: date) -> int:
        """How many eligible customers `person` owns that are not in the pool."""
        self.refresh(today)
        return int(
            self.db.execute(
                "SELECT count(*) FROM pool_kept WHERE owner = ? AND back_on > ?", [person, today.isoformat()]
            ).fetchone()[0]
        )

    # -- claiming ---------------------------------------------------------------

    def refusal(self, customer_id: str, today: date) -> str | None:
        """Why this copy's user cannot claim the customer today, or None."""
        customer = self.store.customer(customer_id)
        state = self.state(customer_id, today)
        user = self.store.user
        return claim_refusal(state, customer.name, user, self.held_by(user, today), self.rules(), today)

    def claim(self, customer_id: str, today: date) -> PoolState:
        """Make this copy's user the owner of a customer in the pool (PoolRefused: why not)."""
        with write(self.db):
            refusal = self.refusal(customer_id, today)
            if refusal is not None:
                raise PoolRefused(refusal)
            before = self.state(customer_id, today)
            assert before.kind == POOLED
            # The former owner claiming it back changes no owner: owned_since moves all the same.
            self.store.records.update(
                "customers",
                customer_id,
                {"owner": self.store.user, "owned_since": timestamp(self.store.clock())},
            )
        return before


def pool_warnings(store: "Store", today: date, person: str | None) -> list["AgendaItem"]:
    """Today's rows for the customers of `person` (None: everyone's) about to go back."""
    from salesdesk.core.agenda import pool_warning_item
    from salesdesk.core.pool import NO_DEAL

    items = []
    for row in Pool(store).warnings(person, today):
        state = row.state
        assert state.back_on is not None and state.since is not None
        if state.reason == NO_DEAL:
            why = _("no deal since {day}").format(day=short_date(state.since))
        else:
            why = _("not worked since {day}").format(day=short_date(state.since))
        items.append(
            pool_warning_item(row.customer_id, row.name, row.company, state.owner, state.back_on, why, today)
        )
    return items


def lost_claims(store: "Store", customer_ids: Iterable[str]) -> list[str]:
    """After a merge: a sentence for each of these customers whose owner this copy's user
    set (a claim from the pool) while a teammate set theirs unseen, and the teammate's won."""
    user = store.user
    told = []
    for name, kept in store.db.execute(
        """SELECT c.name, json_extract(f.kept_value, '$') FROM conflicts f JOIN customers c ON c.id = f.row_id
           WHERE f.tbl = 'customers' AND f.field = 'owner' AND f.resolved_at IS NULL
             AND f.row_id IN (SELECT value FROM json_each(?))
             AND json_extract(f.lost_value, '$') = ? AND c.owner != ?
           ORDER BY c.name""",
        [json.dumps(sorted(set(customer_ids))), user, user],
    ):
        told.append(
            _("{name} was claimed by {owner} too before you synced: it is {owner}'s.").format(
                name=name, owner=kept
            )
        )
    return told


def settle_owned_since(store: "Store", customer_ids: Iterable[str]) -> int:
    """Mark as settled the merge's conflicts of `owned_since`: it is written with each
    change of owner, not typed, and follows the owner kept (whose own conflict stays)."""
    cursor = store.db.execute(
        """UPDATE conflicts SET resolved_at = ?
           WHERE resolved_at IS NULL AND tbl = 'customers' AND field = 'owned_since'
             AND row_id IN (SELECT value FROM json_each(?))""",
        [timestamp(store.clock()), json.dumps(sorted(set(customer_ids)))],
    )
    return cursor.rowcount
