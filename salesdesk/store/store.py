"""The Store: everything the faces (command line, app) do with a salesdesk database.

It applies the domain rules from `salesdesk.core` and persists through `Records`,
the one write path. It never reads the clock: the clock is handed in.
"""

import json
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from salesdesk.core import pipeline
from salesdesk.core.assignment import next_owner
from salesdesk.core.dates import parse_birthday, parse_iso_date, timestamp
from salesdesk.core.errors import InvalidValue, record_name
from salesdesk.core.model import (
    CUSTOMER_FIELDS,
    Customer,
    Deal,
    FollowUp,
    Interaction,
    StageChange,
    check_email,
    check_kind,
    check_name,
    phone_key,
)
from salesdesk.core.money import check_currency
from salesdesk.core.recurrence import next_occurrence, normalise_rule, resumed_rule
from salesdesk.core.segments import DEFAULT_TIER_THRESHOLDS, CustomerFacts, segment, thresholds_from, tier
from salesdesk.i18n import _
from salesdesk.store.connection import open_database, original_of, without_waiting
from salesdesk.store.database import Database
from salesdesk.store.records import Records
from salesdesk.store.schema import DEFAULT_SETTINGS, SYNCED_TABLES

DEAL_FIELDS = (
    "customer_id",
    "title",
    "amount",
    "currency",
    "probability",
    "expected_close",
    "next_step",
    "owner",
    "checklist_done",
)


class Store:
    def __init__(self, db: Database, user: str, clock: Callable[[], datetime]):
        self.db = db
        self.user = user
        self.clock = clock
        self.records = Records(db, user, clock, self._device_id())

    @classmethod
    def open(cls, path: Path, user: str, clock: Callable[[], datetime]) -> "Store":
        return cls(open_database(Path(path)), user, clock)

    def close(self) -> None:
        self.db.close()

    def _device_id(self) -> str:
        return str(self.db.execute("SELECT value FROM meta WHERE key = 'device'").fetchone()[0])

    @property
    def device(self) -> str:
        return self.records.log.device

    @property
    def path(self) -> Path:
        """The database file the store was opened on (not the private copy read in its place,
        see `connection.private_copy`): the one to name to a person."""
        return original_of(self.file_read)

    @property
    def file_read(self) -> Path:
        """The file this store's connection reads (the private copy, if one is read in the
        database's place): the one a reader on a connection of its own opens."""
        return Path(next(row[2] for row in self.db.execute("PRAGMA database_list") if row[1] == "main"))

    def limit_lock_wait(self, seconds: float) -> None:
        """Wait at most `seconds` for a write lock another connection holds, then give up
        (`sqlite3.OperationalError`, "database is locked"), instead of the opening's long wait.

        The app writes on its UI thread: a long wait there is a frozen screen.
        """
        self.db.execute(f"PRAGMA busy_timeout = {max(0, round(seconds * 1000))}")

    def writable(self) -> bool:
        """Whether the database takes writes: False for a read-only file, folder or disk.

        Asked with a write that changes nothing, without waiting for the lock: SQLite
        refuses a read-only database before it looks at the lock, and a lock held
        elsewhere means someone writes, so it counts as writable.
        """
        import sqlite3

        try:
            with without_waiting(self.db):
                self.db.execute("DELETE FROM meta WHERE 0")
        except sqlite3.OperationalError as error:
            return error.sqlite_errorcode & 0xFF not in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM)
        return True

    # -- settings and meta ------------------------------------------------------

    def setting(self, key: str) -> Any:
        # A setting is any JSON value, of a type that depends on the key.
        row = self.db.execute(
            "SELECT value FROM settings WHERE id = ? AND deleted_at IS NULL", [key]
        ).fetchone()
        if row is None and key == "tier_thresholds":
            return self._legacy_tier_thresholds()
        return json.loads(row[0]) if row else DEFAULT_SETTINGS.get(key)

    def settings_of(self, keys: Iterable[str]) -> dict[str, Any]:
        """Several settings read in one query (those not stored: as `setting` reads them)."""
        wanted = list(keys)
        rows = self.db.execute(
            "SELECT id, value FROM settings "
            "WHERE deleted_at IS NULL AND id IN (SELECT value FROM json_each(?))",
            [json.dumps(wanted)],
        ).fetchall()
        found = {key: json.loads(value) for key, value in rows}
        return {key: found[key] if key in found else self.setting(key) for key in wanted}

    def _legacy_tier_thresholds(self) -> dict[str, list[int]]:
        """A database from before per-currency tiers: its one pair of thresholds (for the
        default currency) stands for that currency; the other currencies take the defaults."""
        thresholds = {currency: list(pair) for currency, pair in DEFAULT_TIER_THRESHOLDS.items()}
        old = [self.setting("tier_a_minor"), self.setting("tier_b_minor")]
        if all(isinstance(value, int) for value in old):
            thresholds[str(self.setting("currency"))] = old
        return thresholds

    def tier_thresholds(self) -> dict[str, tuple[int, int]]:
        """Currency -> (tier A, tier B) thresholds, checked (a teammate's value arrives by sync)."""
        return thresholds_from(self.setting("tier_thresholds"))

    def set_setting(self, key: str, value: object) -> None:
        encoded = json.dumps(value)
        if self.records.get("settings", key, include_deleted=True):
            self.records.update("settings", key, {"value": encoded, "deleted_at": None})
        else:
            self.records.insert("settings", {"value": encoded}, record_id=key)

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        """Local facts about this copy (never synced): device id, clock, demo marker."""
        with self.records.transaction():
            self.db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [key, value],
            )

    # -- stages -----------------------------------------------------------------

    def stages(self) -> list[pipeline.Stage]:
        rows = self.db.execute(
            "SELECT id, name, position, probability, kind, rotting_days, checklist "
            "FROM stages WHERE deleted_at IS NULL ORDER BY position, name"
        ).fetchall()
        return [pipeline.Stage(r[0], r[1], r[2], r[3], r[4], r[5], tuple(json.loads(r[6]))) for r in rows]

    def name_default_pipeline(self) -> int:
        """Give the stages of an untouched default pipeline their names in the language
        shown (线索, 需求确认 ... with their checklists), as an edit; how many changed.

        For a database just made under Chinese: every database is seeded in English, the
        same on every device, so the names are an ordinary edit that syncs like any other.
        A stage someone renamed, or whose checklist changed, keeps what it has.
        """
        changed = 0
        stored = {stage.id: stage for stage in self.stages()}
        with self.records.transaction():
            for seed, local in zip(pipeline.DEFAULT_STAGES, pipeline.localised_default_stages(), strict=True):
                mine = stored.get(seed.id)
                if mine is None or (mine.name, mine.checklist) != (seed.name, seed.checklist):
                    continue
                if (local.name, local.checklist) == (seed.name, seed.checklist):
                    continue
                checklist = json.dumps(list(local.checklist), ensure_ascii=False)
                self.records.update("stages", seed.id, {"name": local.name, "checklist": checklist})
                changed += 1
        return changed

    def stage(self, stage_id: str) -> pipeline.Stage:
        for stage in self.stages():
            if stage.id == stage_id:
                return stage
        raise InvalidValue("stage", _("There is no stage with id {id}.").format(id=repr(stage_id)))

    # -- customers --------------------------------------------------------------

    def _customer_values(self, values: Mapping[str, Any]) -> dict[str, Any]:
        unknown = set(values) - set(CUSTOMER_FIELDS)
        if unknown:
            raise InvalidValue(
                sorted(unknown)[0],
                _("Customers have no field {field}.").format(field=repr(sorted(unknown)[0])),
            )
        clean = dict(values)
        if "name" in clean:
            check_name(clean["name"])
        if "email" in clean:
            clean["email"] = check_email(clean["email"] or "")
        if "phone" in clean:
            clean["phone_key"] = phone_key(clean["phone"] or "")
        if clean.get("birthday"):
            clean["birthday"] = parse_birthday(clean["birthday"])
        if clean.get("contract_end"):
            clean["contract_end"] = parse_iso_date(clean["contract_end"], "contract end").isoformat()
        return clean

    def default_owner(self) -> str:
        """The owner of a new lead nobody named: the next of the round-robin team if one
        is set (setting `round_robin`), else whoever is adding it."""
        owner = next_owner(self.setting("round_robin") or [], self.meta("round_robin_last"))
        if owner is None:
            return self.user
        self.set_meta("round_robin_last", owner)
        return owner

    def assign(self, table: str, record_id: str, owner: str) -> None:
        """Give a customer, deal or follow-up to a teammate."""
        if table not in ("customers", "deals", "followups"):
            raise InvalidValue("record", _("A {record} has no owner.").format(record=record_name(table)))
        check_name(owner, "owner")
        self.records.update(table, record_id, {"owner": owner.strip()})

    def people(self) -> list[str]:
        """Everyone who owns something or is in the round-robin team, for completion."""
        names = {
            row[0]
            for row in self.db.execute(
                "SELECT owner FROM customers WHERE owner != '' "
                "UNION SELECT owner FROM deals WHERE owner != ''"
            )
        }
        names |= set(self.setting("round_robin") or []) | {self.user}
        return sorted(names, key=str.lower)

    def add_customer(self, name: str, **values: str | None) -> str:
        if not values.get("owner"):
            values["owner"] = self.default_owner()
        values = self._customer_values({"name": name, **values})
        with self.records.transaction():
            customer_id = self.records.insert("customers", values)
            if values.get("contract_end"):
                self._contract_end(customer_id, values["contract_end"])
        return customer_id

    def update_customer(
        self, customer_id: str, changes: Mapping[str, Any], expected_version: int | None = None
    ) -> int:
        clean = self._customer_values(changes)
        with self.records.transaction():
            version = self.records.update("customers", customer_id, clean, expected_version)
            if "contract_end" in clean:
                self._contract_end(customer_id, clean["contract_end"] or None)
        return version

    def _contract_end(self, customer_id: str, ends_on: str | None) -> None:
        """Keep the contract that stands for the customer's contract end in step with it
        (migration 17), in the transaction that wrote the field."""
        from salesdesk.store.contracts import ContractStore

        ContractStore(self).set_customer_end(customer_id, ends_on)

    def delete_customer(self, customer_id: str, expected_version: int | None = None) -> None:
        self.records.delete("customers", customer_id, expected_version)

    def customer(self, customer_id: str) -> Customer:
        customer: Customer = Customer.from_row(self.records.require("customers", customer_id))
        return customer

    def customer_facts(self, customer_id: str, today: date) -> CustomerFacts:
        year_ago = (today - timedelta(days=365)).isoformat()
        row = self.db.execute(
            """
            SELECT
              (SELECT count(*) FROM deals d JOIN stages s ON s.id = d.stage_id
                WHERE d.customer_id = c.id AND d.deleted_at IS NULL AND s.kind = 'open'),
              (SELECT count(*) FROM deals d JOIN stages s ON s.id = d.stage_id
                WHERE d.customer_id = c.id AND d.deleted_at IS NULL AND s.kind = 'won'),
              (SELECT count(*) FROM deals d JOIN stages s ON s.id = d.stage_id
                WHERE d.customer_id = c.id AND d.deleted_at IS NULL AND s.kind = 'lost'),
              (SELECT json_group_object(currency, total) FROM
                 (SELECT d.currency, sum(d.amount) AS total FROM deals d JOIN stages s ON s.id = d.stage_id
                  WHERE d.customer_id = c.id AND d.deleted_at IS NULL AND s.kind = 'won'
                    AND d.closed_on >= ? GROUP BY d.currency)),
              c.last_contact_at, c.created_at
            FROM customers c WHERE c.id = ?
            """,
            [year_ago, customer_id],
        ).fetchone()
        if row is None:
            raise InvalidValue(
                "customer", _("There is no customer with id {id}.").format(id=repr(customer_id))
            )
        last = date.fromisoformat(row[4][:10]) if row[4] else None
        return CustomerFacts(
            open_deals=row[0],
            won_deals=row[1],
            lost_deals=row[2],
            last_contact=last,
            created=date.fromisoformat(row[5][:10]),
            won_revenue_12m=json.loads(row[3]) if row[3] else {},
        )

    def segment_and_tier(self, customer_id: str, today: date) -> tuple[str, str]:
        facts = self.customer_facts(customer_id, today)
        return (
            segment(facts, today, self.setting("dormant_days")),
            tier(facts.won_revenue_12m, self.tier_thresholds()),
        )

    # -- tags -------------------------------------------------------------------

    def tag_id(self, name: str) -> str:
        """The id of the tag with this name (any case), creating it if new."""
        from salesdesk.store.tags import find_tag

        check_name(name, "tag")
        label = name.strip()
        row = find_tag(self.db, label)
        if row is None:
            return self.records.insert("tags", {"name": label})
        if row[1] is not None:
            self.records.update("tags", row[0], {"deleted_at": None})
        return str(row[0])

    def add_tag(self, customer_id: str, name: str) -> None:
        with self.records.transaction():
            self.records.require("customers", customer_id)
            tag = self.tag_id(name)
            link = f"{customer_id}:{tag}"  # one link per pair, whichever device adds it
            existing = self.records.get("customer_tags", link, include_deleted=True)
            if existing is None:
                self.records.insert("customer_tags", {"customer_id": customer_id, "tag_id": tag}, link)
            elif existing["deleted_at"] is not None:
                self.records.update("customer_tags", link, {"deleted_at": None})

    def remove_tag(self, customer_id: str, name: str) -> bool:
        from salesdesk.store.tags import fold_key

        links = [
            link
            for link, label in self.db.execute(
                "SELECT ct.id, t.name FROM customer_tags ct JOIN tags t ON t.id = ct.tag_id "
                "WHERE ct.customer_id = ? AND ct.deleted_at IS NULL",
                [customer_id],
            ).fetchall()
            if fold_key(label) == fold_key(name)
        ]
        with self.records.transaction():  # every spelling of it (copies not yet folded)
            for link in links:
                self.records.delete("customer_tags", link)
        return bool(links)

    def tags_of(self, customer_id: str) -> list[str]:
        return [
            r[0]
            for r in self.db.execute(
                "SELECT t.name FROM customer_tags ct JOIN tags t ON t.id = ct.tag_id "
                "WHERE ct.customer_id = ? AND ct.deleted_at IS NULL AND t.deleted_at IS NULL "
                "ORDER BY t.name COLLATE NOCASE",
                [customer_id],
            )
        ]

    # -- deals ------------------------------------------------------------------

    def _deal_values(self, values: Mapping[str, Any]) -> dict[str, Any]:
        unknown = set(values) - set(DEAL_FIELDS)
        if unknown:
            raise InvalidValue(
                sorted(unknown)[0], _("Deals have no field {field}.").format(field=repr(sorted(unknown)[0]))
            )
        clean = dict(values)
        if "title" in clean:
            check_name(clean["title"], "title")
        if "currency" in clean:
            clean["currency"] = check_currency(clean["currency"])
        amount = clean.get("amount", 0)
        if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
            raise InvalidValue("amount", _("An amount is a whole number of minor units, zero or more."))
        probability = clean.get("probability")
        if probability is not None and (not isinstance(probability, int) or not 0 <= probability <= 100):
            raise InvalidValue(
                "probability",
                _("{probability} is not a probability; use 0 to 100.").format(probability=probability),
            )
        if clean.get("expected_close"):
            clean["expected_close"] = parse_iso_date(clean["expected_close"], "expected close").isoformat()
        return clean

    def add_deal(
        self,
        customer_id: str,
        title: str,
        amount: int = 0,
        currency: str | None = None,
        stage_id: str | None = None,
        **values: object,
    ) -> str:
        stages = self.stages()
        stage = self.stage(stage_id) if stage_id else pipeline.first_stage(stages, pipeline.OPEN)
        clean = self._deal_values(
            {
                "customer_id": customer_id,
                "title": title,
                "amount": amount,
                "currency": currency or self.setting("currency"),
                "owner": self.user,
                **values,
            }
        )
        moment = self.clock()
        with self.records.transaction():
            self.records.require("customers", customer_id)
            deal_id = self.records.insert(
                "deals",
                {
                    **clean,
                    "stage_id": stage.id,
                    "stage_entered_at": timestamp(moment),
                    "closed_on": moment.date().isoformat() if stage.kind != pipeline.OPEN else None,
                },
            )
            self._record_stage_change(deal_id, None, stage.id, moment)
        return deal_id

    def update_deal(
        self, deal_id: str, changes: Mapping[str, Any], expected_version: int | None = None
    ) -> int:
        """Change a deal's fields. A deal with lines has their sum as its amount, in its
        currency: an amount typed over the sum, or another currency, is refused (a form
        that sends the amount it showed, unchanged, is fine)."""
        clean = self._deal_values(changes)
        with self.records.transaction():
            if {"amount", "currency"} & set(clean):
                self._keep_line_amount(deal_id, clean, expected_version)
            return self.records.update("deals", deal_id, clean, expected_version)

    def _keep_line_amount(self, deal_id: str, clean: Mapping[str, Any], expected_version: int | None) -> None:
        from salesdesk.store.lines import deals_with_lines

        if not deals_with_lines(self.db, [deal_id]):
            return
        current = self.records.require("deals", deal_id)
        if expected_version is not None and current["version"] != expected_version:
            return  # changed since it was read: the update says so, with what it is now
        if "amount" in clean and clean["amount"] != current["amount"]:
            raise InvalidValue(
                "amount",
                _(
                    "This deal's amount is the sum of its lines; "
                    "change its lines, or remove them to type one."
                ),
            )
        if "currency" in clean and clean["currency"] != current["currency"]:
            raise InvalidValue(
                "currency",
                _("This deal's lines are priced in {currency}; remove them to change its currency.").format(
                    currency=current["currency"]
                ),
            )

    def unmet_checklist(self, deal: Deal) -> list[str]:
        """Items of the deal's current stage checklist not yet ticked."""
        done = set(json.loads(deal.checklist_done))
        return [item for item in self.stage(deal.stage_id).checklist if item not in done]

    def tick_checklist(self, deal_id: str, items: list[str]) -> None:
        deal = self.deal(deal_id)
        done = sorted(set(json.loads(deal.checklist_done)) | set(items))
        self.records.update("deals", deal_id, {"checklist_done": json.dumps(done, ensure_ascii=False)})

    def delete_deal(self, deal_id: str, expected_version: int | None = None) -> None:
        self.records.delete("deals", deal_id, expected_version)

    def deal(self, deal_id: str) -> Deal:
        deal: Deal = Deal.from_row(self.records.require("deals", deal_id))
        return deal

    def deal_probability(self, deal: Deal) -> int:
        return pipeline.effective_probability(deal.probability, self.stage(deal.stage_id))

    def _record_stage_change(
        self, deal_id: str, from_stage: str | None, to_stage: str, moment: datetime | None = None
    ) -> str:
        # `moment` is the one the deal's stage_entered_at was stamped with, so undo can
        # restore it exactly from the history.
        return self.records.insert(
            "stage_changes",
            {
                "deal_id": deal_id,
                "from_stage": from_stage,
                "to_stage": to_stage,
                "at": timestamp(moment or self.clock()),
                "by_user": self.user,
            },
        )

    def move_deal(
        self, deal_id: str, to_stage_id: str, *, lost_reason: str = "", expected_version: int | None = None
    ) -> StageChange:
        """Move a deal to a stage, recording who moved it and when.

        The deal keeps its own probability if it has one; otherwise the new stage's
        applies (see `pipeline.effective_probability`).
        """
        target = self.stage(to_stage_id)
        if target.kind == pipeline.LOST and not lost_reason.strip():
            raise InvalidValue("lost reason", _("Say why the deal was lost; a reason is required."))
        moment = self.clock()
        with self.records.transaction():
            deal = self.deal(deal_id)
            if deal.stage_id == target.id:
                raise InvalidValue("stage", _("The deal is already in {stage}.").format(stage=target.name))
            changes = {
                "stage_id": target.id,
                "stage_entered_at": timestamp(moment),
                "closed_on": moment.date().isoformat() if target.kind != pipeline.OPEN else None,
                "lost_reason": lost_reason.strip() if target.kind == pipeline.LOST else "",
            }
            if target.kind == pipeline.WON and self.stage(deal.stage_id).kind == pipeline.WON:
                changes["closed_on"] = deal.closed_on  # Signed -> Paid: it closed when signed
            if expected_version is None:
                expected_version = deal.version
            self.records.update("deals", deal_id, changes, expected_version)
            change_id = self._record_stage_change(deal_id, deal.stage_id, target.id, moment)
        change: StageChange = StageChange.from_row(self.records.require("stage_changes", change_id))
        return change

    def step_deal(self, deal_id: str, step: int) -> StageChange | None:
        """One stage forward (+1) or back (-1) along the board; None at either end."""
        deal = self.deal(deal_id)
        target = pipeline.neighbour(self.stages(), deal.stage_id, step)
        if target is None:
            return None
        return self.move_deal(deal_id, target.id)

    def mark_won(self, deal_id: str) -> StageChange:
        return self.move_deal(deal_id, pipeline.first_stage(self.stages(), pipeline.WON).id)

    def mark_lost(self, deal_id: str, reason: str) -> StageChange:
        return self.move_deal(
            deal_id, pipeline.first_stage(self.stages(), pipeline.LOST).id, lost_reason=reason
        )

    def undo_stage_change(self, change_id: str) -> None:
        """Take a move back: the deal returns to where it was, the change is tombstoned.

        Only the deal's latest move can be undone, so history stays consistent.
        """
        with self.records.transaction():
            change: StageChange = StageChange.from_row(self.records.require("stage_changes", change_id))
            if change.from_stage is None:
                raise InvalidValue(
                    "stage", _("A deal's first stage cannot be undone; delete the deal instead.")
                )
            latest = self.db.execute(
                "SELECT id FROM stage_changes WHERE deal_id = ? AND deleted_at IS NULL "
                "ORDER BY at DESC, id DESC LIMIT 1",
                [change.deal_id],
            ).fetchone()
            if latest[0] != change_id:
                raise InvalidValue(
                    "stage", _("The deal has moved since; only its latest move can be undone.")
                )
            previous = self.db.execute(
                "SELECT at FROM stage_changes WHERE deal_id = ? AND deleted_at IS NULL AND id != ? "
                "ORDER BY at DESC, id DESC LIMIT 1",
                [change.deal_id, change_id],
            ).fetchone()
            before = self.stage(change.from_stage)
            deal = self.deal(change.deal_id)
            # The move overwrote closed_on and lost_reason; take them back from the log.
            earlier = self._deal_before_move(change_id, change.deal_id)
            self.records.update(
                "deals",
                change.deal_id,
                {
                    "stage_id": before.id,
                    "stage_entered_at": previous[0] if previous else deal.created_at,
                    "closed_on": (
                        earlier.get("closed_on", deal.closed_on) if before.kind != pipeline.OPEN else None
                    ),
                    "lost_reason": (
                        earlier.get("lost_reason", deal.lost_reason) if before.kind == pipeline.LOST else ""
                    ),
                },
            )
            self.records.delete("stage_changes", change_id)

    def _deal_before_move(self, change_id: str, deal_id: str) -> dict[str, Any]:
        """The deal's fields as they were just before the move `change_id` recorded.

        Replays the deal's change-log entries older than the move's own update (the
        last one before the stage change that set stage_id). Empty when unknown.
        """
        row = self.db.execute(
            "SELECT min(clock) FROM changes WHERE tbl = 'stage_changes' AND row_id = ?", [change_id]
        ).fetchone()
        if row is None or row[0] is None:
            return {}
        entries = [
            json.loads(data)
            for (data,) in self.db.execute(
                "SELECT data FROM changes WHERE tbl = 'deals' AND row_id = ? AND clock < ? ORDER BY clock",
                [deal_id, row[0]],
            )
        ]
        moves = [index for index, entry in enumerate(entries) if "stage_id" in entry]
        if len(moves) < 2:  # the insert and the move itself, at least
            return {}
        state: dict[str, Any] = {}
        for entry in entries[: moves[-1]]:
            state.update(entry)
        return state

    def stage_history(self, deal_id: str) -> list[StageChange]:
        rows = self.db.execute(
            "SELECT * FROM stage_changes WHERE deal_id = ? AND deleted_at IS NULL ORDER BY at, id", [deal_id]
        )
        names = [d[0] for d in rows.description]
        return [StageChange.from_row(dict(zip(names, row, strict=True))) for row in rows.fetchall()]

    # -- interactions -----------------------------------------------------------

    def log_interaction(
        self,
        customer_id: str,
        kind: str,
        summary: str,
        *,
        at: datetime | None = None,
        body: str = "",
        deal_id: str | None = None,
    ) -> str:
        check_kind(kind)
        stamp = timestamp(at or self.clock())
        with self.records.transaction():
            customer = self.customer(customer_id)
            if deal_id:
                self.records.require("deals", deal_id)
            interaction_id = self.records.insert(
                "interactions",
                {
                    "customer_id": customer_id,
                    "deal_id": deal_id,
                    "kind": kind,
                    "at": stamp,
                    "summary": summary,
                    "body": body,
                    "by_user": self.user,
                },
            )
            # A note is written about the customer, not to them: it is not contact.
            if kind != "note" and (not customer.last_contact_at or customer.last_contact_at < stamp):
                self.records.update("customers", customer_id, {"last_contact_at": stamp})
        return interaction_id

    def interactions_of(self, customer_id: str, limit: int = 50) -> list[Interaction]:
        cursor = self.db.execute(
            "SELECT * FROM interactions WHERE customer_id = ? AND deleted_at IS NULL "
            "ORDER BY at DESC LIMIT ?",
            [customer_id, limit],
        )
        names = [d[0] for d in cursor.description]
        return [Interaction.from_row(dict(zip(names, row, strict=True))) for row in cursor.fetchall()]

    # -- follow-ups -------------------------------------------------------------

    def add_followup(
        self,
        customer_id: str,
        due: date,
        title: str,
        *,
        kind: str = "call",
        deal_id: str | None = None,
        due_time: str | None = None,
        rrule: str | None = None,
        owner: str | None = None,
    ) -> str:
        check_name(title, "title")
        rule = normalise_rule(rrule) if rrule else None
        with self.records.transaction():
            self.records.require("customers", customer_id)
            if deal_id:
                self.records.require("deals", deal_id)
            return self.records.insert(
                "followups",
                {
                    "customer_id": customer_id,
                    "deal_id": deal_id,
                    "due_date": due.isoformat(),
                    "due_time": due_time,
                    "title": title,
                    "kind": kind,
                    "owner": owner or self.user,
                    "done_at": None,
                    "rrule": rule,
                },
            )

    def followup(self, followup_id: str) -> FollowUp:
        item: FollowUp = FollowUp.from_row(self.records.require("followups", followup_id))
        return item

    def complete_followup(self, followup_id: str, today: date) -> str | None:
        """Mark done; a recurring follow-up books its next occurrence after today.

        Returns the id of the next occurrence, if one was booked.
        """
        with self.records.transaction():
            item = self.followup(followup_id)
            if item.done_at:  # done twice (two windows, a double key press): book nothing more
                return None
            self.records.update("followups", followup_id, {"done_at": timestamp(self.clock())})
            if not item.rrule:
                return None
            due = date.fromisoformat(item.due_date)
            following = next_occurrence(item.rrule, due, max(due, today))
            if following is None:
                return None
            return self.add_followup(
                item.customer_id,
                following,
                item.title,
                kind=item.kind,
                deal_id=item.deal_id,
                due_time=item.due_time,
                rrule=resumed_rule(item.rrule, due, following),
                owner=item.owner,
            )

    def reschedule_followup(self, followup_id: str, due: date) -> None:
        self.records.update("followups", followup_id, {"due_date": due.isoformat()})

    def open_followups_of_deal(self, deal_id: str) -> list[FollowUp]:
        """The deal's follow-ups not yet done, soonest first."""
        rows = self.db.execute(
            "SELECT * FROM followups WHERE deal_id = ? AND done_at IS NULL AND deleted_at IS NULL "
            "ORDER BY due_date, id",
            [deal_id],
        )
        names = [d[0] for d in rows.description]
        return [FollowUp.from_row(dict(zip(names, row, strict=True))) for row in rows.fetchall()]

    def close_followups(self, followup_ids: list[str]) -> None:
        """Mark follow-ups done without booking a next occurrence: their deal is closed."""
        moment = timestamp(self.clock())
        with self.records.transaction():
            for followup_id in followup_ids:
                self.records.update("followups", followup_id, {"done_at": moment})

    def next_followup_of_deal(self, deal_id: str) -> date | None:
        row = self.db.execute(
            "SELECT min(due_date) FROM followups WHERE deal_id = ? AND done_at IS NULL "
            "AND deleted_at IS NULL",
            [deal_id],
        ).fetchone()
        return date.fromisoformat(row[0]) if row and row[0] else None

    # -- whole-database facts ---------------------------------------------------

    def counts(self) -> dict[str, int]:
        """Live (not deleted) rows of every synced table."""
        return {
            table: self.db.execute(f"SELECT count(*) FROM {table} WHERE deleted_at IS NULL").fetchone()[0]
            for table in SYNCED_TABLES
        }
