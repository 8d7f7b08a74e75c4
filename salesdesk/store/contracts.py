"""Contracts, their payment plans and the money received, over the store's one write path.

A deal that reaches Signed gets a contract (`prefill` gives the dialog its values, from
the deal and its latest quote; `make` keeps it). Its plan is a set of instalments,
replaced whole by `set_plan`; money received is a receipt (`record_receipt`), which
pays what `core.contracts.allocate` says, worked out again on every read and never
stored, so receipts recorded on two devices before a sync are both kept and give the
same statuses on every copy.

When a receipt makes the contract fully collected and its deal is in a won stage
before the last, the deal moves to the last won stage (Paid), unless the setting
`paid_on_collection` is "ask": then the face asks and moves it itself.
"""

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from salesdesk.core import care, pipeline
from salesdesk.core.contracts import (
    METHODS,
    Collection,
    InstalmentFact,
    PlanPart,
    ReceiptFact,
    collection,
    contract_number,
    number_seq,
    parse_plan,
)
from salesdesk.core.dates import parse_iso_date
from salesdesk.core.errors import InvalidValue, NotFound
from salesdesk.core.lines import MONEY_LIMIT
from salesdesk.core.model import Contract, Instalment, Receipt
from salesdesk.core.money import check_currency
from salesdesk.i18n import _
from salesdesk.store.owed import refresh as refresh_owed

if TYPE_CHECKING:
    from salesdesk.store.store import Store

NOTES_LIMIT = 10_000
NUMBER_LIMIT = 60
CONTRACT_FIELDS = ("number", "signed_on", "starts_on", "ends_on", "amount", "currency", "quote_id", "notes")
DATE_FIELDS = {"signed_on": "signed date", "starts_on": "start date", "ends_on": "end date"}


def customer_end_id(customer_id: str) -> str:
    """The contract that stands for a customer's contract end (migration 17)."""
    return f"contract-end-{customer_id}"


@dataclass(frozen=True)
class ReceiptOutcome:
    """What recording a receipt did, for the face to say."""

    receipt_id: str
    collection: Collection
    overpaid: int  # received beyond the contract's amount, after this receipt
    completed: bool  # this receipt made the contract fully collected
    moved: bool  # and so its deal moved to Paid


def _facts(instalments: Iterable[Instalment]) -> list[InstalmentFact]:
    return [InstalmentFact(i.id, date.fromisoformat(i.due_on), i.amount, i.position) for i in instalments]


def _receipt_facts(receipts: Iterable[Receipt]) -> list[ReceiptFact]:
    return [
        ReceiptFact(r.id, date.fromisoformat(r.received_on), r.amount, r.instalment_id, r.created_at)
        for r in receipts
    ]


def _unplanned_due(contract: Contract) -> date | None:
    day = contract.signed_on or contract.starts_on
    return date.fromisoformat(day) if day else None


class ContractStore:
    """Contracts, plans and receipts of one store."""

    def __init__(self, store: "Store"):
        self.store = store
        self.db = store.db

    # -- reading ----------------------------------------------------------------------

    def get(self, contract_id: str) -> Contract | None:
        row = self.store.records.get("contracts", contract_id)
        return Contract.from_row(row) if row else None

    def require(self, contract_id: str) -> Contract:
        contract: Contract = Contract.from_row(self.store.records.require("contracts", contract_id))
        return contract

    def _contracts(self, where: str, params: Sequence[object]) -> list[Contract]:
        cursor = self.db.execute(
            f"SELECT * FROM contracts WHERE deleted_at IS NULL AND {where} "
            "ORDER BY coalesce(signed_on, ends_on, created_at) DESC, created_at DESC, id DESC",
            params,
        )
        names = [d[0] for d in cursor.description]
        return [Contract.from_row(dict(zip(names, row, strict=True))) for row in cursor]

    def of_deal(self, deal_id: str) -> Contract | None:
        """The deal's contract (the latest, should there be more than one)."""
        found = self._contracts("deal_id = ?", [deal_id])
        return found[0] if found else None

    def of_customer(self, customer_id: str) -> list[Contract]:
        """The customer's contracts, the latest first."""
        return self._contracts("customer_id = ?", [customer_id])

    def instalments(self, contract_id: str) -> list[Instalment]:
        cursor = self.db.execute(
            "SELECT * FROM instalments WHERE contract_id = ? AND deleted_at IS NULL "
            "ORDER BY due_on, position, id",
            [contract_id],
        )
        names = [d[0] for d in cursor.description]
        return [Instalment.from_row(dict(zip(names, row, strict=True))) for row in cursor]

    def receipts(self, contract_id: str) -> list[Receipt]:
        cursor = self.db.execute(
            "SELECT * FROM receipts WHERE contract_id = ? AND deleted_at IS NULL "
            "ORDER BY received_on, created_at, id",
            [contract_id],
        )
        names = [d[0] for d in cursor.description]
        return [Receipt.from_row(dict(zip(names, row, strict=True))) for row in cursor]

    def collection(self, contract_id: str, today: date) -> Collection:
        """Where the contract's money stands on `today`."""
        contract = self.require(contract_id)
        return collection(
            contract.amount,
            _facts(self.instalments(contract_id)),
            _receipt_facts(self.receipts(contract_id)),
            today,
            unplanned_due=_unplanned_due(contract),
        )

    def collections(self, contract_ids: Sequence[str], today: date) -> dict[str, Collection]:
        """Many contracts' collections, in three queries whatever their number."""
        if not contract_ids:
            return {}
        wanted = json.dumps(list(contract_ids))
        contracts = {
            row[0]: row[1:]
            for row in self.db.execute(
                "SELECT id, amount, signed_on, starts_on FROM contracts "
                "WHERE id IN (SELECT value FROM json_each(?)) AND deleted_at IS NULL",
                [wanted],
            )
        }
        plans: dict[str, list[InstalmentFact]] = {key: [] for key in contracts}
        for contract_id, instalment_id, due_on, amount, position in self.db.execute(
            "SELECT contract_id, id, due_on, amount, position FROM instalments "
            "WHERE contract_id IN (SELECT value FROM json_each(?)) AND deleted_at IS NULL",
            [wanted],
        ):
            if contract_id in plans:
                plans[contract_id].append(
                    InstalmentFact(instalment_id, date.fromisoformat(due_on), amount, position)
                )
        paid: dict[str, list[ReceiptFact]] = {key: [] for key in contracts}
        for contract_id, receipt_id, received_on, amount, instalment_id, created_at in self.db.execute(
            "SELECT contract_id, id, received_on, amount, instalment_id, created_at FROM receipts "
            "WHERE contract_id IN (SELECT value FROM json_each(?)) AND deleted_at IS NULL",
            [wanted],
        ):
            if contract_id in paid:
                paid[contract_id].append(
                    ReceiptFact(
                        receipt_id, date.fromisoformat(received_on), amount, instalment_id, created_at
                    )
                )
        result = {}
        for contract_id, (amount, signed_on, starts_on) in contracts.items():
            first = signed_on or starts_on
            result[contract_id] = collection(
                amount,
                plans[contract_id],
                paid[contract_id],
                today,
                unplanned_due=date.fromisoformat(first) if first else None,
            )
        return result

    def collections_of_deals(self, deal_ids: Sequence[str], today: date) -> dict[str, tuple[int, int, str]]:
        """deal id -> (collected, amount, currency) of its contract, for the board's cards."""
        if not deal_ids:
            return {}
        rows = self.db.execute(
            "SELECT deal_id, id, currency FROM contracts WHERE deleted_at IS NULL "
            "AND deal_id IN (SELECT value FROM json_each(?)) ORDER BY created_at",
            [json.dumps(list(deal_ids))],
        ).fetchall()
        latest = {deal_id: (contract_id, currency) for deal_id, contract_id, currency in rows}
        states = self.collections([contract_id for contract_id, _currency in latest.values()], today)
        return {
            deal_id: (states[contract_id].collected, states[contract_id].amount, currency)
            for deal_id, (contract_id, currency) in latest.items()
            if contract_id in states
        }

    def customer_receivables(self, customer_id: str, today: date) -> dict[str, tuple[int, int]]:
        """currency -> (outstanding, overdue) over the customer's contracts."""
        contracts = self.of_customer(customer_id)
        states = self.collections([c.id for c in contracts], today)
        owed: dict[str, tuple[int, int]] = {}
        for contract in contracts:
            state = states.get(contract.id)
            if state is None or not state.outstanding:
                continue
            outstanding, overdue = owed.get(contract.currency, (0, 0))
            owed[contract.currency] = (outstanding + state.outstanding, overdue + state.overdue)
        return owed

    def next_number(self, year: int) -> str:
        """`C-<year>-<seq>`: one past the highest number of the year this copy knows."""
        seqs = [
            seq
            for (number,) in self.db.execute(
                "SELECT number FROM contracts WHERE number LIKE ? AND deleted_at IS NULL", [f"C-{year}-%"]
            )
            if (seq := number_seq(number, year)) is not None
        ]
        return contract_number(year, max(seqs, default=0) + 1)

    def prefill(self, deal_id: str, today: date) -> dict[str, Any]:
        """The contract dialog's values for a deal: its amount and currency, its latest
        quote, signed today, the next number."""
        from salesdesk.store.quotes import QuoteStore

        deal = self.store.deal(deal_id)
        quote = QuoteStore(self.store).latest_of_deal(deal_id)
        return {
            "deal_id": deal_id,
            "customer_id": deal.customer_id,
            "number": self.next_number(today.year),
            "signed_on": today.isoformat(),
            "starts_on": today.isoformat(),
            "ends_on": None,
            "amount": quote.total if quote is not None and quote.currency == deal.currency else deal.amount,
            "currency": deal.currency,
            "quote_id": quote.id if quote is not None else None,
            "notes": "",
        }

    # -- writing ----------------------------------------------------------------------

    def clean(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The contract's values, checked: each refusal one sentence naming the field."""
        clean: dict[str, Any] = {}
        for key, value in values.items():
            if key not in CONTRACT_FIELDS:
                continue
            if key in DATE_FIELDS:
                text = (value or "").strip() if isinstance(value, str) else value
                clean[key] = parse_iso_date(text, DATE_FIELDS[key]).isoformat() if text else None
            elif key == "amount":
                if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MONEY_LIMIT:
                    raise InvalidValue("amount", _("The amount must be zero or more."))
                clean[key] = value
            elif key == "currency":
                clean[key] = check_currency(str(value))
            elif key == "number":
                number = str(value or "").strip()
                if len(number) > NUMBER_LIMIT:
                    raise InvalidValue(
                        "number",
                        _("A contract number has at most {limit} characters.").format(limit=NUMBER_LIMIT),
                    )
                clean[key] = number
            elif key == "notes":
                notes = str(value or "")
                if len(notes) > NOTES_LIMIT:
                    raise InvalidValue(
                        "notes", _("Notes have at most {limit} characters.").format(limit=f"{NOTES_LIMIT:,}")
                    )
                clean[key] = notes
            else:
                clean[key] = value or None
        starts, ends = clean.get("starts_on"), clean.get("ends_on")
        if starts and ends and ends < starts:
            raise InvalidValue("end date", _("The contract cannot end before it starts."))
        return clean

    def make(self, deal_id: str, values: Mapping[str, Any]) -> str:
        """A contract for a deal, of the values given (see `prefill`)."""
        store = self.store
        with store.records.transaction():
            deal = store.deal(deal_id)
            clean = self.clean({"currency": deal.currency, "amount": deal.amount, **values})
            made = store.records.insert(
                "contracts", {**clean, "deal_id": deal_id, "customer_id": deal.customer_id}
            )
            refresh_owed(self.db)
            return made

    def update(
        self, contract_id: str, values: Mapping[str, Any], expected_version: int | None = None
    ) -> None:
        clean = self.clean(values)
        with self.store.records.transaction():
            self.require(contract_id)
            self.store.records.update("contracts", contract_id, clean, expected_version)
            refresh_owed(self.db)

    def plan_from_pattern(self, contract_id: str, text: str) -> list[PlanPart]:
        """The plan a pattern says for this contract, from its signing day (or start, or today)."""
        contract = self.require(contract_id)
        signed = _unplanned_due(contract) or self.store.clock().date()
        return parse_plan(text, contract.amount, signed)

    def set_plan(self, contract_id: str, parts: Sequence[PlanPart]) -> list[str]:
        """Replace the contract's instalments with `parts`, in one transaction."""
        for part in parts:
            if not 0 <= part.amount <= MONEY_LIMIT:
                raise InvalidValue("amount", _("An instalment's amount must be zero or more."))
        records = self.store.records
        with records.transaction():
            self.require(contract_id)
            for old in self.instalments(contract_id):
                records.delete("instalments", old.id)
            made = [
                records.insert(
                    "instalments",
                    {
                        "contract_id": contract_id,
                        "position": position,
                        "due_on": part.due_on.isoformat(),
                        "amount": part.amount,
                        "label": part.label,
                    },
                )
                for position, part in enumerate(parts)
            ]
            refresh_owed(self.db)
            return made

    def snooze_instalment(self, instalment_id: str, until: date) -> None:
        """Hide the instalment's reminder on Today until `until`; the money is still owed."""
        with self.store.records.transaction():
            self.store.records.update("instalments", instalment_id, {"snoozed_until": until.isoformat()})
            refresh_owed(self.db)

    def record_receipt(
        self,
        contract_id: str,
        amount: int,
        received_on: date,
        *,
        method: str = "",
        reference: str = "",
        instalment_id: str | None = None,
    ) -> ReceiptOutcome:
        """Money received for a contract (negative: a refund), and what follows from it."""
        if amount == 0 or abs(amount) > MONEY_LIMIT:
            raise InvalidValue("amount", _("A receipt needs an amount; a refund is a negative one."))
        if method and method not in METHODS:
            raise InvalidValue(
                "method",
                _("{value} is not a way of paying; use one of {methods}.").format(
                    value=repr(method), methods=", ".join(METHODS)
                ),
            )
        store = self.store
        with store.records.transaction():
            contract = self.require(contract_id)
            if instalment_id is not None:
                instalment = store.records.get("instalments", instalment_id)
                if instalment is None or instalment["contract_id"] != contract_id:
                    raise NotFound(_("That instalment is not one of this contract's."))
            before = self.collection(contract_id, received_on)
            receipt_id = store.records.insert(
                "receipts",
                {
                    "contract_id": contract_id,
                    "instalment_id": instalment_id,
                    "received_on": received_on.isoformat(),
                    "amount": amount,
                    "method": method,
                    "reference": reference.strip(),
                },
            )
            after = self.collection(contract_id, received_on)
            completed = after.fully_collected and not before.fully_collected
            moved = False
            if completed and contract.deal_id and store.setting("paid_on_collection") != "ask":
                moved = self.move_to_paid(contract.deal_id)
            refresh_owed(self.db)
        return ReceiptOutcome(receipt_id, after, after.overpaid, completed, moved)

    def paid_stage_for(self, deal_id: str) -> pipeline.Stage | None:
        """The stage a fully collected deal goes to, if it is in an earlier won stage."""
        stages = self.store.stages()
        paid = care.paid_stage(stages)
        deal = self.store.deal(deal_id)
        current = self.store.stage(deal.stage_id)
        if paid is None or current.id == paid.id or current.kind != pipeline.WON:
            return None
        return paid

    def move_to_paid(self, deal_id: str) -> bool:
        """Move the deal to Paid if it is Signed (or another won stage before Paid)."""
        paid = self.paid_stage_for(deal_id)
        if paid is None:
            return False
        self.store.move_deal(deal_id, paid.id)
        return True

    def set_customer_end(self, customer_id: str, ends_on: str | None) -> None:
        """Keep the contract that stands for a customer's contract end in step with it."""
        records = self.store.records
        contract_id = customer_end_id(customer_id)
        with records.transaction():
            existing = records.get("contracts", contract_id, include_deleted=True)
            if existing is None:
                if ends_on:
                    records.insert(
                        "contracts",
                        {
                            "customer_id": customer_id,
                            "ends_on": ends_on,
                            "currency": self.store.setting("currency") or "USD",
                        },
                        record_id=contract_id,
                    )
                return
            if ends_on:
                records.update("contracts", contract_id, {"ends_on": ends_on, "deleted_at": None})
            elif existing["deleted_at"] is None:
                records.delete("contracts", contract_id)
