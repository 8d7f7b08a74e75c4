"""The agenda from the database: the facts behind each kind of reminder, and what was done.

Every kind of fact is gathered in one set-based query over a narrow, indexed range
(a few days of birthdays, contract ends, last contacts, stage entries), never one
query per customer, so the agenda stays instant on a database of 100,000 customers.
The rules that turn facts into reminders are `salesdesk.core.care`; the sorting into
sections is `salesdesk.core.agenda`. The app and the command line both call `load`.
"""

import json
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from salesdesk.core import agenda as core
from salesdesk.core import care, suggest
from salesdesk.core.agenda import Agenda, AgendaItem, FollowUpFact
from salesdesk.core.calendars import Span
from salesdesk.core.care import CareFacts, CareSettings, CareWindow, Person
from salesdesk.core.errors import InvalidValue
from salesdesk.core.segments import TIER_RANKS, Thresholds
from salesdesk.i18n import _
from salesdesk.store.cases import open_counts
from salesdesk.store.connection import connect, is_read_only
from salesdesk.store.database import Database
from salesdesk.store.store import Store

if TYPE_CHECKING:
    from concurrent.futures import Future

    from salesdesk.store.contracts import ReceiptOutcome

_T = TypeVar("_T")
GREET_NAMES = 50  # a holiday row names this many customers; the rest are counted
RECEIVABLE_DAYS = 7  # the default of the setting `receivable_days`, should a value be unusable


def _next_day(day: date) -> str:
    """The exclusive upper bound of a day, for timestamps stored as ISO text."""
    return (day + timedelta(days=1)).isoformat()


def _day(stamp: str) -> date:
    return date.fromisoformat(stamp[:10])


def _birthday(text: str) -> tuple[int | None, int, int] | None:
    """(year or None, month, day) of a stored birthday: 'YYYY-MM-DD' or '--MM-DD'."""
    try:
        year = None if text.startswith("--") else int(text[:4])
        return year, int(text[-5:-3]), int(text[-2:])
    except ValueError:
        return None


class AgendaQueries:
    """Read-only queries: one per kind of fact."""

    def __init__(self, db: Database):
        self.db = db

    def _rows(self, sql: str, params: Sequence[object], width: int) -> list[list[Any]]:
        """The rows of a query of `width` columns, gathered by SQLite into one JSON value.

        The app reads its first agenda on a thread while the interface is imported and
        drawn. Fetched row by row, every row would wait for the interpreter lock the
        drawing holds; gathered into one value, the whole query runs in SQLite without
        it, alongside (measured: the first agenda on the large demo ready in 0.4 s
        instead of 0.6 s). Text, numbers and NULL come back as they are stored.
        """
        names = ", ".join(f"c{i}" for i in range(width))
        found = self.db.execute(
            f"WITH q({names}) AS ({sql}) SELECT json_group_array(json_array({names})) FROM q", params
        )
        rows: list[list[Any]] = json.loads(found.fetchone()[0])
        return rows

    @staticmethod
    def _owner(column: str, owner: str | None) -> tuple[str, list[str]]:
        # The unary + keeps SQLite from reaching for the owner index: one owner holds
        # most customers, so the narrow range of the reminder's own index is the way in.
        return (f" AND +{column} = ?", [owner]) if owner is not None else ("", [])

    def followups(self, until: date, owner: str | None) -> list[FollowUpFact]:
        """Open follow-ups due up to `until` (every overdue one too)."""
        mine, params = (" AND f.owner = ?", [owner]) if owner is not None else ("", [])
        rows = self._rows(
            f"""SELECT f.id, f.due_date, f.title, f.kind, f.owner, f.customer_id, c.name, c.company,
                       f.due_time, f.rrule, d.id, coalesce(d.title, ''), coalesce(s.name, '')
                FROM followups f
                JOIN customers c ON c.id = f.customer_id
                LEFT JOIN deals d ON d.id = f.deal_id AND d.deleted_at IS NULL
                LEFT JOIN stages s ON s.id = d.stage_id
                WHERE f.done_at IS NULL AND f.deleted_at IS NULL AND f.due_date <= ?
                  AND c.deleted_at IS NULL{mine}""",
            [until.isoformat(), *params],
            13,
        )
        due = date.fromisoformat
        return [FollowUpFact(r[0], due(r[1]), *r[2:]) for r in rows]

    def birthdays(self, window: CareWindow, owner: str | None) -> list[care.BirthdayFact]:
        mine, params = self._owner("owner", owner)
        facts = []
        keys = list(window.birthday_keys)
        for row in self._rows(
            f"""SELECT id, name, company, owner, birthday FROM customers
                    WHERE birthday IS NOT NULL AND substr(birthday, -5) IN
                      ({", ".join("?" for _key in keys)}) AND deleted_at IS NULL{mine}""",
            [*keys, *params],
            5,
        ):
            parsed = _birthday(row[4])
            if parsed:
                facts.append(care.BirthdayFact(Person(*row[:4]), *parsed))
        lunar = list(window.lunar_days)
        for row in self._rows(
            f"""SELECT id, name, company, owner, lunar_birthday FROM customers
                    WHERE lunar_birthday IN ({", ".join("?" for _day in lunar)})
                      AND deleted_at IS NULL{mine}""",
            [*lunar, *params],
            5,
        ):
            facts.append(care.BirthdayFact(Person(*row[:4]), lunar=row[4]))
        return facts

    def renewals(self, span: Span, owner: str | None) -> list[care.RenewalFact]:
        """Contracts ending in `span`: one renewal each, from the contracts' own end days
        (a customer's contract end is the contract `contract-end-<id>`, migration 17).

        A customer's contract end written without its contract (by a path that does not
        keep the two in step yet, or a bulk load) still gives its renewal, as before
        contracts; once the contract exists, it alone counts.
        """
        mine, params = self._owner("c.owner", owner)
        first, last = span.first.isoformat(), span.last.isoformat()
        return [
            care.RenewalFact(Person(*row[:4]), date.fromisoformat(row[4]), row[5], row[6], row[7])
            for row in self._rows(
                f"""SELECT c.id, c.name, c.company, c.owner, k.ends_on, k.id, k.number, k.deal_id
                FROM contracts k INDEXED BY contracts_end JOIN customers c ON c.id = k.customer_id
                WHERE k.ends_on BETWEEN ? AND ? AND k.deleted_at IS NULL
                  AND c.deleted_at IS NULL{mine}
                UNION ALL
                SELECT c.id, c.name, c.company, c.owner, c.contract_end, 'contract-end-' || c.id, '', NULL
                FROM customers c
                WHERE c.contract_end BETWEEN ? AND ? AND c.deleted_at IS NULL{mine}
                  AND NOT EXISTS (SELECT 1 FROM contracts e WHERE e.id = 'contract-end-' || c.id)""",
                [first, last, *params, first, last, *params],
                8,
            )
        ]

    def receivables(
        self, until: date, today: date, owner: str | None, *, snoozed: bool = False
    ) -> list[core.ReceivableFact]:
        """Instalments due up to `until` (every overdue one too) and not fully paid, whose
        reminder is not snoozed past `today` (with `snoozed`, those too: still owed).

        What each instalment still wants is `store.owed`'s, kept by due day (a narrow
        range: the agenda reads what is due, not every contract kept); this one query
        reads what the rows show of those instalments, their contracts and customers.
        """
        from salesdesk.store.owed import owed_rows

        owed = {row.instalment_id: row for row in owed_rows(self.db, until)}
        if not owed:
            return []
        mine, params = self._owner("c.owner", owner)
        rows = self._rows(
            f"""SELECT i.id, k.id, k.number, k.currency, i.snoozed_until,
                       (SELECT count(*) FROM instalments j WHERE j.contract_id = k.id
                          AND j.deleted_at IS NULL AND (j.due_on < i.due_on OR (j.due_on = i.due_on
                          AND (j.position < i.position OR (j.position = i.position AND j.id <= i.id))))),
                       (SELECT count(*) FROM instalments j WHERE j.contract_id = k.id
                          AND j.deleted_at IS NULL),
                       c.id, c.name, c.company, c.owner, d.id, coalesce(d.title, ''), coalesce(s.name, '')
                FROM json_each(?) o CROSS JOIN instalments i ON i.id = o.value
                JOIN contracts k ON k.id = i.contract_id
                JOIN customers c ON c.id = k.customer_id
                LEFT JOIN deals d ON d.id = k.deal_id AND d.deleted_at IS NULL
                LEFT JOIN stages s ON s.id = d.stage_id
                WHERE i.deleted_at IS NULL AND k.deleted_at IS NULL AND c.deleted_at IS NULL{mine}""",
            [json.dumps(list(owed)), *params],
            14,
        )
        shown_from = today.isoformat()
        return [
            core.ReceivableFact(
                row[0],
                row[1],
                row[2],
                date.fromisoformat(owed[row[0]].due_on),
                owed[row[0]].outstanding,
                row[3],
                row[5],
                row[6],
                *row[7:14],
            )
            for row in rows
            if snoozed or row[4] is None or row[4] <= shown_from
        ]

    def quiet(self, window: CareWindow, owner: str | None) -> list[care.QuietFact]:
        """Customers last contacted, or added and never contacted, on the days that matter."""
        mine, params = self._owner("c.owner", owner)
        counts = """,
            EXISTS (SELECT 1 FROM deals d JOIN stages s ON s.id = d.stage_id
                    WHERE d.customer_id = c.id AND d.deleted_at IS NULL AND s.kind = 'won'),
            (SELECT count(*) FROM deals d JOIN stages s ON s.id = d.stage_id
             WHERE d.customer_id = c.id AND d.deleted_at IS NULL AND s.kind = 'open')"""
        rows = self._rows(
            f"""SELECT c.id, c.name, c.company, c.owner, c.last_contact_at, c.created_at{counts}
                FROM customers c
                WHERE c.last_contact_at >= ? AND c.last_contact_at < ? AND c.deleted_at IS NULL{mine}
                UNION ALL
                SELECT c.id, c.name, c.company, c.owner, NULL, c.created_at{counts}
                FROM customers c
                WHERE c.last_contact_at IS NULL AND c.created_at >= ? AND c.created_at < ?
                  AND c.deleted_at IS NULL{mine}""",
            [
                window.contacted.first.isoformat(),
                _next_day(window.contacted.last),
                *params,
                window.created.first.isoformat(),
                _next_day(window.created.last),
                *params,
            ],
            8,
        )
        return [
            care.QuietFact(
                Person(*row[:4]),
                _day(row[4]) if row[4] else None,
                _day(row[5]),
                bought=bool(row[6]),
                open_deals=row[7],
            )
            for row in rows
        ]

    def repeat_buyers(self, owner: str | None) -> list[care.RepeatFact]:
        """Customers with won deals on two or more days: their orders, and open deals.

        The won deals are read from their own index, in customer order (left to itself,
        SQLite walks every deal by customer: three times slower on the large demo).
        """
        mine, params = self._owner("c.owner", owner)
        rows = self._rows(
            f"""WITH won AS (
                  SELECT customer_id, group_concat(closed_on) AS days FROM deals INDEXED BY deals_won
                  WHERE stage_id IN (SELECT id FROM stages WHERE kind = 'won')
                    AND deleted_at IS NULL AND closed_on IS NOT NULL
                  GROUP BY customer_id HAVING count(DISTINCT closed_on) >= 2)
                SELECT c.id, c.name, c.company, c.owner, won.days,
                       (SELECT count(*) FROM deals o WHERE o.customer_id = c.id
                          AND o.deleted_at IS NULL
                          AND o.stage_id IN (SELECT id FROM stages WHERE kind = 'open'))
                FROM won JOIN customers c ON c.id = won.customer_id
                WHERE c.deleted_at IS NULL{mine}""",
            params,
            6,
        )
        return [
            care.RepeatFact(
                Person(*row[:4]), tuple(date.fromisoformat(day) for day in row[4].split(",")), row[5]
            )
            for row in rows
        ]

    def reorders(self, buyers: Sequence[care.RepeatFact]) -> list[suggest.ReorderFact]:
        """Products the given repeat buyers (`repeat_buyers`' customers) bought on two days
        or more, and the days, for the reorder rows.

        Only those customers' own won deals are read, and their lines from the covering
        index of product lines; a product on an open deal of the customer is left out
        (that reorder is being worked), looked up only for customers with open deals.
        The cross joins keep SQLite to that order, through each customer's deals.
        """
        if not buyers:
            return []
        people = {fact.customer.id: fact.customer for fact in buyers}
        rows = self._rows(
            """SELECT d.customer_id, p.id, p.name, group_concat(DISTINCT d.closed_on)
               FROM json_each(?) b CROSS JOIN deals d ON d.customer_id = b.value
               CROSS JOIN deal_lines l INDEXED BY deal_lines_bought
                 ON l.deal_id = d.id AND l.deleted_at IS NULL AND l.product_id IS NOT NULL
               CROSS JOIN products p ON p.id = l.product_id
               WHERE d.deleted_at IS NULL AND d.closed_on IS NOT NULL
                 AND +d.stage_id IN (SELECT id FROM stages WHERE kind = 'won')
                 AND p.deleted_at IS NULL AND p.active = 1
               GROUP BY d.customer_id, p.id HAVING count(DISTINCT d.closed_on) >= 2""",
            [json.dumps(list(people))],
            4,
        )
        working = {
            (row[0], row[1])
            for row in self._rows(
                """SELECT o.customer_id, l.product_id
                   FROM json_each(?) b CROSS JOIN deals o ON o.customer_id = b.value
                   CROSS JOIN deal_lines l INDEXED BY deal_lines_bought
                     ON l.deal_id = o.id AND l.deleted_at IS NULL AND l.product_id IS NOT NULL
                   WHERE o.deleted_at IS NULL
                     AND +o.stage_id IN (SELECT id FROM stages WHERE kind = 'open')""",
                [json.dumps([fact.customer.id for fact in buyers if fact.open_deals])],
                2,
            )
        }
        return [
            suggest.ReorderFact(
                *people[row[0]],
                row[1],
                row[2],
                tuple(date.fromisoformat(day) for day in row[3].split(",")),
            )
            for row in rows
            if (row[0], row[1]) not in working
        ]

    def deals_entered(self, spans: dict[str, Span], owner: str | None, today: date) -> list[care.DealFact]:
        """Deals that entered their stage on the given days, and whether a follow-up is ahead."""
        if not spans:
            return []
        mine, owner_params = self._owner("d.owner", owner)
        parts, params = [], []
        for stage_id, span in spans.items():
            parts.append(
                f"""SELECT d.id, d.title, d.stage_id, d.stage_entered_at, d.owner,
                           c.id, c.name, c.company, c.owner,
                           EXISTS (SELECT 1 FROM followups f WHERE f.deal_id = d.id
                                   AND f.done_at IS NULL AND f.deleted_at IS NULL AND f.due_date >= ?)
                    FROM deals d JOIN customers c ON c.id = d.customer_id
                    WHERE d.stage_id = ? AND d.stage_entered_at >= ? AND d.stage_entered_at < ?
                      AND d.deleted_at IS NULL AND c.deleted_at IS NULL{mine}"""
            )
            params += [
                today.isoformat(),
                stage_id,
                span.first.isoformat(),
                _next_day(span.last),
                *owner_params,
            ]
        return [
            care.DealFact(Person(*row[5:9]), row[0], row[1], row[2], _day(row[3]), row[4], bool(row[9]))
            for row in self._rows(" UNION ALL ".join(parts), params, 10)
        ]

    def with_open_cases(self, paid: Sequence[care.DealFact]) -> tuple[care.DealFact, ...]:
        """The check-in facts with their customers' open cases counted, in one query."""
        counts = open_counts(self.db, (fact.customer.id for fact in paid))
        return tuple(fact._replace(open_cases=counts.get(fact.customer.id, 0)) for fact in paid)

    def greeting(
        self, settings: CareSettings, thresholds: Thresholds, today: date, owner: str | None
    ) -> care.Greeting:
        """Customers of the chosen value tiers: the most valuable first, and how many in all."""
        tiers = set(settings.holiday_tiers)
        if not tiers:
            return care.Greeting((), 0)
        # The tier rule of core.segments.tier over won revenue of the last twelve months:
        # the best tier reached in any one currency, against that currency's thresholds.
        # The won deals come from their own index (SQLite would rather walk every deal by
        # customer, to group without sorting: four times slower on the large demo).
        ranks = ", ".join(str(TIER_RANKS[t]) for t in sorted(tiers))
        mine = " AND +c.owner = :owner" if owner is not None else ""
        ranked = """SELECT w.customer_id,
                      min(CASE WHEN w.total >= t.a THEN 1 WHEN w.total >= t.b THEN 2 ELSE 3 END) AS rank,
                      max(w.total * 1.0 / t.a) AS value
                    FROM (SELECT customer_id, currency, sum(amount) AS total
                          FROM deals INDEXED BY deals_won
                          WHERE stage_id IN (SELECT id FROM stages WHERE kind = 'won')
                            AND deleted_at IS NULL AND closed_on >= :since
                          GROUP BY customer_id, currency) w
                    JOIN (SELECT key AS currency, json_extract(value, '$[0]') AS a,
                                 json_extract(value, '$[1]') AS b FROM json_each(:thresholds)) t
                      ON t.currency = w.currency
                    GROUP BY w.customer_id"""
        if "C" in tiers:  # everyone, bar the tiers left out
            source = f"customers c LEFT JOIN ({ranked}) r ON r.customer_id = c.id"
        else:
            source = f"({ranked}) r JOIN customers c ON c.id = r.customer_id"
        params = {
            "thresholds": json.dumps({currency: list(pair) for currency, pair in thresholds.items()}),
            "owner": owner,
            "since": (today - timedelta(days=365)).isoformat(),
        }
        rows = self.db.execute(
            f"""SELECT id, name, company, owner, count(*) OVER () FROM (
                  SELECT c.id, c.name, c.company, c.owner, coalesce(r.rank, 3) AS rank,
                         coalesce(r.value, 0) AS value
                  FROM {source} WHERE c.deleted_at IS NULL{mine})
                WHERE rank IN ({ranks})
                ORDER BY rank, value DESC, name COLLATE NOCASE LIMIT {GREET_NAMES}""",
            params,
        ).fetchall()
        return care.Greeting(tuple(Person(*row[:4]) for row in rows), rows[0][4] if rows else 0)

    def resolved(self, ids: list[str]) -> set[str]:
        """Which of these care reminders were done or dismissed (on any device)."""
        if not ids:
            return set()
        return {
            row[0]
            for row in self._rows(
                "SELECT id FROM reminder_dismissals WHERE deleted_at IS NULL "
                "AND id IN (SELECT value FROM json_each(?))",
                [json.dumps(ids)],
                1,
            )
        }


@dataclass
class AgendaUndo:
    """What one action on an agenda item changed, so that `u` can take it back."""

    what: str  # for the message: "done: Call Wang Wei"
    reopen: str | None = None  # a follow-up marked done
    moved: tuple[str, str] | None = None  # a follow-up moved: (id, its due date before)
    booked: list[str] = field(default_factory=list)  # follow-ups the action created
    resolved: str | None = None  # a care reminder's occurrence marked done or dismissed
    receipt: str | None = None  # a receipt recorded from a receivable row
    unmoved: tuple[str, str] | None = None  # its deal moved to Paid: (id, the stage before)
    unsnoozed: tuple[str, str | None] | None = None  # an instalment snoozed: (id, snoozed before)
    key: str | None = None  # the item acted on: where Today's cursor goes back to after `u`

    @classmethod
    def of(cls, action: str, item: AgendaItem, booked: str | None = None) -> "AgendaUndo":
        """The undo of `action` (done, dismissed, moved) just applied to `item`."""
        step = cls(f"{action}: {item.what}", key=item.key)
        if item.is_followup and action == "done":
            step.reopen = _followup_id(item)
        elif item.is_followup:
            step.moved = (_followup_id(item), item.due.isoformat())
        else:
            step.resolved = item.key
        if booked and booked != step.reopen and not (step.moved and booked == step.moved[0]):
            step.booked.append(booked)
        return step


class AgendaStore:
    """The agenda of one person over a store: load it, and act on its items."""

    def __init__(self, store: Store):
        self.store = store
        self.queries = AgendaQueries(store.db)

    @property
    def path(self) -> Path:
        """The database file, for a reader on a connection of its own (see `load_from`)."""
        return self.store.file_read

    def _beside(self, query: Callable[[AgendaQueries], _T]) -> Callable[[], _T]:
        """`query` run on a connection of its own, on a thread, while this one runs the
        rest; call what it returns for its result.

        SQLite lets go of the interpreter while a query runs, so on two cores half the
        agenda's SQL (the follow-ups, its largest query, and a few others) is read beside
        the other half. Read from the same committed data as the rest (what a teammate's
        sync commits between the two reads shows at the next load, as it would). A
        database opened read-only, in memory, or inside a transaction of this connection
        (whose changes another would not see) is read on this one.
        """
        conn = self.store.db.conn
        path = self.store.db.execute("PRAGMA database_list").fetchone()[2]
        if not path or conn.in_transaction or is_read_only(self.store.db):
            here = query(self.queries)
            return lambda: here
        done: dict[str, Any] = {}

        def run() -> None:
            db = connect(Path(path))
            try:
                done["result"] = query(AgendaQueries(db))
            except BaseException as error:  # raised where the result is asked for
                done["error"] = error
            finally:
                db.close()

        thread = threading.Thread(target=run, name="agenda beside", daemon=True)
        thread.start()

        def wait() -> _T:
            thread.join()
            if "error" in done:
                raise done["error"]
            found: _T = done["result"]
            return found

        return wait

    @classmethod
    def load_from(
        cls, path: Path, user: str, clock: Callable[[], datetime], today: date, *, everyone: bool = False
    ) -> Agenda:
        """`load` on a connection of its own, for a worker thread (a connection stays in one)."""
        db = connect(path)
        try:
            return cls(Store(db, user, clock)).load(today, everyone=everyone)
        finally:
            db.close()

    @classmethod
    def load_soon(cls, path: Path, user: str, clock: Callable[[], datetime], today: date) -> "Future[Agenda]":
        """`load_from` started now on a thread of its own; the future holds the agenda.

        The app starts this before importing its interface: the queries run in SQLite,
        which lets go of the interpreter, so they overlap the imports instead of
        following them.
        """
        from concurrent.futures import Future  # the app's alone: `salesdesk agenda` needs none

        future: Future[Agenda] = Future()

        def run() -> None:
            try:
                future.set_result(cls.load_from(path, user, clock, today))
            except BaseException as error:  # handed to whoever waits for the agenda
                future.set_exception(error)

        threading.Thread(target=run, name="first agenda", daemon=True).start()
        return future

    # -- settings ---------------------------------------------------------------------

    def receivable_days(self) -> int:
        """How many days ahead an instalment shows on Today (the setting, checked: a
        teammate's value arrives by sync)."""
        days = self.store.setting("receivable_days")
        low, high = care.DAY_LIMITS["receivable_days"]
        if isinstance(days, bool) or not isinstance(days, int) or not low <= days <= high:
            return RECEIVABLE_DAYS
        return days

    def settings(self) -> CareSettings:
        return care.care_settings(self.store.settings_of(care.SETTING_KEYS).get)

    def save_settings(self, values: Mapping[str, object]) -> None:
        """Store the settings that changed (values as `care.parse_setting` returns them)."""
        current = self.settings()
        for key, value in values.items():
            if key not in care.SETTING_KEYS:
                raise InvalidValue(key, _("There is no care setting {key}.").format(key=repr(key)))
            old = getattr(current, key)
            if (list(old) if isinstance(old, tuple) else old) != value:
                self.store.set_setting(key, value)

    # -- reading ----------------------------------------------------------------------

    def load(self, today: date, *, everyone: bool = False, receivables: bool = True) -> Agenda:
        """The agenda of `today`: the user's (or, with `everyone`, the whole team's);
        without `receivables`, no money to collect (the calendar reads it once itself)."""
        owner = None if everyone else self.store.user
        settings = self.settings()
        stages = self.store.stages()
        window = care.care_window(today, settings, stages)
        queries = self.queries
        paid = care.paid_stage(stages)
        until = today + timedelta(days=self.receivable_days())

        def beside(queries: AgendaQueries) -> tuple[Any, ...]:
            """Half the agenda's SQL, read on a second connection (see `_beside`)."""
            return (
                queries.followups(window.shown.last, owner),
                queries.greeting(settings, settings.tier_thresholds, today, owner)
                if window.holidays
                else None,
                tuple(queries.quiet(window, owner)),
                queries.receivables(until, today, owner) if receivables else [],
            )

        later = self._beside(beside)
        repeat = tuple(queries.repeat_buyers(owner))
        birthdays = tuple(queries.birthdays(window, owner))
        renewals = tuple(queries.renewals(window.contract_ends, owner))
        checkins = queries.with_open_cases(
            queries.deals_entered({paid.id: window.paid} if paid else {}, owner, today)
        )
        open_deals = tuple(queries.deals_entered(window.entered, owner, today))
        bought_again = queries.reorders(repeat)
        followups, greeting, quiet, receivable = later()
        facts = CareFacts(
            birthdays=birthdays,
            renewals=renewals,
            quiet=quiet,
            repeat=repeat,
            paid=checkins,
            open_deals=open_deals,
            greeting=greeting,
        )
        reminders = care.care_reminders(facts, window, settings, stages, self.store.user)
        reorders = suggest.reorder_reminders(bought_again, window.shown.first, window.shown.last, today)
        if reorders:
            # A product due again says more than "time to reorder?" of the same customer.
            named = {item.customer_id for item in reorders}
            reminders = [r for r in reminders if r.kind != core.REPEAT or r.customer_id not in named]
            reminders += reorders
        resolved = queries.resolved([item.key for item in reminders])
        owed = [core.receivable_item(fact, today) for fact in receivable]
        items = core.followup_items(followups)
        warned = self.pool_warnings(today, owner)
        resolved |= queries.resolved([item.key for item in warned])
        return core.build_agenda([*items, *owed, *reminders, *warned], today, resolved, everyone=everyone)

    def pool_warnings(self, today: date, owner: str | None) -> list[AgendaItem]:
        """The customers about to go back to the lead pool (store.pool), as Today's rows."""
        from salesdesk.store.pool import pool_warnings

        return pool_warnings(self.store, today, owner)

    # -- acting -----------------------------------------------------------------------

    def resolve(self, item: AgendaItem, outcome: str) -> None:
        """Record a care reminder as done or dismissed, for this occurrence only."""
        if not item.is_care:
            raise InvalidValue(
                "reminder", _("Only care reminders are dismissed; a follow-up is done or moved.")
            )
        if outcome not in (core.DONE, core.DISMISSED):
            raise InvalidValue(
                "outcome",
                _("{outcome} is not an outcome; use done or dismissed.").format(outcome=repr(outcome)),
            )
        records = self.store.records
        with records.transaction():
            existing = records.get("reminder_dismissals", item.key, include_deleted=True)
            if existing is None:
                records.insert(
                    "reminder_dismissals",
                    {
                        "kind": item.kind,
                        "customer_id": item.customer_id,
                        "occurrence": item.occurrence,
                        "outcome": outcome,
                    },
                    record_id=item.key,
                )
            else:
                records.update("reminder_dismissals", item.key, {"outcome": outcome, "deleted_at": None})

    def done(self, item: AgendaItem, today: date) -> str | None:
        """Mark an item done. A recurring follow-up books its next occurrence: its id is returned."""
        if item.is_followup:
            return self.store.complete_followup(_followup_id(item), today)
        self.resolve(item, core.DONE)
        return None

    def dismiss(self, item: AgendaItem) -> None:
        self.resolve(item, core.DISMISSED)

    def undo(self, step: AgendaUndo) -> None:
        """Take one action back, in one transaction: the agenda is as it was before it."""
        records = self.store.records
        with records.transaction():
            if step.reopen is not None:
                records.update("followups", step.reopen, {"done_at": None})
            if step.moved is not None:
                records.update("followups", step.moved[0], {"due_date": step.moved[1]})
            for followup_id in step.booked:
                if records.get("followups", followup_id) is not None:
                    records.delete("followups", followup_id)
            if step.resolved is not None and records.get("reminder_dismissals", step.resolved):
                records.delete("reminder_dismissals", step.resolved)
            if step.receipt is not None and records.get("receipts", step.receipt) is not None:
                records.delete("receipts", step.receipt)
            if step.unmoved is not None:
                deal_id, stage_id = step.unmoved
                if self.store.deal(deal_id).stage_id != stage_id:
                    self.store.move_deal(deal_id, stage_id)
            if step.unsnoozed is not None:
                records.update("instalments", step.unsnoozed[0], {"snoozed_until": step.unsnoozed[1]})

    def collect(self, item: AgendaItem, today: date) -> tuple["ReceiptOutcome", AgendaUndo, int]:
        """Record a receivable row's instalment as received in full today: what is still
        owed of it now (read again, not the row's), for that instalment; returns what was
        recorded, its undo and the amount.

        The deal moves to Paid when this completes the contract (ContractStore's rule,
        and its setting); the undo takes the receipt and the move back.
        """
        from salesdesk.store.contracts import ContractStore

        contract_id, instalment_id = _receivable(item)
        contracts = ContractStore(self.store)
        with self.store.records.transaction():
            state = contracts.collection(contract_id, today)
            owed = next((i.outstanding for i in state.instalments if i.instalment.id == instalment_id), 0)
            if owed <= 0:
                raise InvalidValue(
                    "receipt", _("That instalment is paid already: there is nothing to collect.")
                )
            contract = contracts.require(contract_id)
            before = self.store.deal(contract.deal_id).stage_id if contract.deal_id else None
            outcome = contracts.record_receipt(contract_id, owed, today, instalment_id=instalment_id)
        step = AgendaUndo(
            _("received: {what}").format(what=item.what), receipt=outcome.receipt_id, key=item.key
        )
        if outcome.moved and contract.deal_id and before is not None:
            step.unmoved = (contract.deal_id, before)
        return outcome, step, owed

    def snooze_receivable(self, item: AgendaItem, until: date) -> AgendaUndo:
        """Hide a receivable row until `until`; the money is still owed."""
        from salesdesk.store.contracts import ContractStore

        _contract_id, instalment_id = _receivable(item)
        with self.store.records.transaction():
            before = self.store.records.require("instalments", instalment_id)["snoozed_until"]
            ContractStore(self.store).snooze_instalment(instalment_id, until)
        return AgendaUndo(
            _("snoozed: {what}").format(what=item.what), unsnoozed=(instalment_id, before), key=item.key
        )

    def snooze(self, item: AgendaItem, until: date, title: str | None = None, kind: str = "call") -> str:
        """Move an item to a later day; returns the follow-up that now carries it.

        A follow-up is rescheduled. A care reminder becomes a follow-up on that day (its
        occurrence is dismissed, so it is not shown twice); a holiday cannot, as it names
        no one customer.
        """
        if item.is_followup:
            followup_id = _followup_id(item)
            self.store.reschedule_followup(followup_id, until)
            return followup_id
        if item.customer_id is None:
            raise InvalidValue(
                "snooze",
                _(
                    "A holiday greeting names no one customer, so it cannot be "
                    "moved; mark it done (d) or dismiss it (x)."
                ),
            )
        with self.store.records.transaction():
            followup_id = self.store.add_followup(
                item.customer_id, until, title or item.what, kind=kind, deal_id=item.deal_id
            )
            self.resolve(item, core.DISMISSED)
        return followup_id


def _receivable(item: AgendaItem) -> tuple[str, str]:
    """The contract and instalment a receivable row stands for."""
    if item.contract_id is None or item.instalment_id is None:
        raise InvalidValue("receivable", _("The agenda item {key} names no instalment.").format(key=item.key))
    return item.contract_id, item.instalment_id


def _followup_id(item: AgendaItem) -> str:
    """The follow-up a follow-up item stands for (`core.agenda.followup_item` names it)."""
    if item.followup_id is None:
        raise InvalidValue("follow-up", _("The agenda item {key} names no follow-up.").format(key=item.key))
    return item.followup_id


# Care reminders with a date of their own: the ones a calendar can hold ahead of time.
# (Dormant customers, repeat buyers, rotting deals and new leads fall due "now".)
DATED_CARE = (core.BIRTHDAY, core.LUNAR_BIRTHDAY, core.RENEWAL, core.HOLIDAY, core.CHECKIN)


def dated_care_between(store: Store, first: date, last: date, *, everyone: bool = False) -> list[AgendaItem]:
    """Dated care reminders due from `first` to `last`, each once, in date order.

    The agenda looks a week ahead, so it is asked once a week across the span.
    """
    agendas = AgendaStore(store)
    found: dict[str, AgendaItem] = {}
    day = first
    while day <= last:
        for item in agendas.load(day, everyone=everyone, receivables=False).items:
            if item.kind in DATED_CARE and first <= item.due <= last:
                found.setdefault(item.key, item)
        day += timedelta(days=core.HORIZON_DAYS)
    return sorted(found.values(), key=lambda item: (item.due, item.kind, item.customer))


def owed_between(
    store: Store, first: date, last: date, *, everyone: bool = False
) -> list[core.ReceivableFact]:
    """Instalments still owed that fall due from `first` to `last`, snoozed or not (the
    money is owed all the same), in date order: for the calendar export."""
    owner = None if everyone else store.user
    facts = AgendaQueries(store.db).receivables(last, first, owner, snoozed=True)
    return sorted(
        (fact for fact in facts if fact.due >= first),
        key=lambda fact: (fact.due, fact.number, fact.place, fact.instalment_id),
    )
