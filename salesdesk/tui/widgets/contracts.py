"""A customer's contracts in the detail pane: each one's number, signing and end days,
amount and how much of it is collected, then what is still owed and overdue, one figure
per currency (never added across currencies). Hidden for a customer without contracts.

Read with `store.contracts.ContractStore` in a few indexed queries per customer shown.
"""

from datetime import date

from rich.console import Group
from rich.text import Text
from textual.widgets import Static

from salesdesk.core.contracts import Collection
from salesdesk.core.model import Contract
from salesdesk.core.money import format_money
from salesdesk.core.text import literal
from salesdesk.i18n import _, short_date
from salesdesk.store.contracts import ContractStore, customer_end_id
from salesdesk.store.store import Store
from salesdesk.tui.privacy import masked
from salesdesk.tui.text import padded

NUMBER_CELLS, AMOUNT_CELLS = 13, 14


def customer_contracts(store: Store, customer_id: str, today: date) -> list[tuple[Contract, Collection]]:
    """The customer's contracts, the latest first, with where their money stands; the
    stand-in for a customer's contract end (shown with the customer's dates) left out."""
    contracts = ContractStore(store)
    found = [c for c in contracts.of_customer(customer_id) if c.id != customer_end_id(customer_id)]
    states = contracts.collections([c.id for c in found], today)
    return [(contract, states[contract.id]) for contract in found if contract.id in states]


def contract_to_collect(store: Store, customer_id: str, today: date) -> str | None:
    """The contract a receipt from the customer most likely pays: the one whose oldest
    open instalment fell due first. None when nothing is owed."""
    owed = []
    for contract, money in customer_contracts(store, customer_id, today):
        open_ones = [state.instalment.due_on for state in money.instalments if state.outstanding > 0]
        if open_ones and money.outstanding > 0:
            owed.append((min(open_ones), contract.signed_on or "", contract.id))
    return min(owed)[2] if owed else None


class ContractsSection(Static):
    """The contracts of the customer shown; `show` draws it, it keeps nothing."""

    def __init__(self, **options) -> None:
        super().__init__("", markup=False, **options)

    def show(self, store: Store | None, customer_id: str | None, today: date, privacy: bool) -> None:
        rows = customer_contracts(store, customer_id, today) if store is not None and customer_id else []
        self.display = bool(rows)
        if not rows or store is None or customer_id is None:
            self.update("")
            return
        owed = ContractStore(store).customer_receivables(customer_id, today)
        self.update(self._drawn(rows, owed, privacy))

    @staticmethod
    def _drawn(
        rows: list[tuple[Contract, Collection]], owed: dict[str, tuple[int, int]], privacy: bool
    ) -> Group:
        def money(minor: int, currency: str) -> str:
            return masked(format_money(minor, currency), privacy)

        lines = [Text(""), Text(_("Contracts"), style="bold")]
        for contract, state in rows:
            line = Text("  ")
            line.append(padded(literal(contract.number) or "–", NUMBER_CELLS), style="bold")
            line.append(padded(money(contract.amount, contract.currency), AMOUNT_CELLS, right=True) + "  ")
            collected = _("collected {percent}%").format(percent=state.percent())
            line.append(collected, style="green" if state.fully_collected else "")
            lines.append(line)
            days = []
            if contract.signed_on:
                days.append(
                    _("signed {date}").format(date=short_date(date.fromisoformat(contract.signed_on)))
                )
            if contract.ends_on:
                days.append(_("ends {date}").format(date=contract.ends_on))
            if days:
                when = Text("    ")
                when.append(" · ".join(days), style="dim")
                lines.append(when)
        for currency, (outstanding, overdue) in sorted(owed.items()):
            line = Text("  ")
            line.append(_("Outstanding {amount}").format(amount=money(outstanding, currency)), style="bold")
            if overdue:
                line.append("  ·  ")
                line.append(_("overdue {amount}").format(amount=money(overdue, currency)), style="bold red")
            lines.append(line)
        if owed:
            lines.append(Text("  " + _("$ records money received"), style="dim"))
        return Group(*lines)
