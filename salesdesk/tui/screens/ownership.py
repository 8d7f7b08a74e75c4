"""Who owns this already, in the app: a customer being added who is a teammate's.

Wherever a customer is created (the new-customer form, a new deal's new customer), a
match of a teammate's opens `OwnedScreen` over the form, which stays open beneath it:
`a` asks the owner for it instead of making a duplicate, `c` creates it anyway, esc goes
back to the form with everything typed.
"""

from datetime import date
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, Static

from salesdesk.core.ownership import HOW, Owned, contacted, owned_sentence
from salesdesk.core.text import literal
from salesdesk.i18n import N_, _
from salesdesk.store.ownership import ask_owner
from salesdesk.tui.screens.base import DialogScreen

if TYPE_CHECKING:
    from salesdesk.store.store import Store
    from salesdesk.tui.screens.base import DataScreen

ASK, CREATE = "ask", "create"


def filled(template: str, style: str = "", **values: str) -> Text:
    """`template` with each `{name}` replaced by its value shown literally (in bold)."""
    text = Text(style=style)
    rest = template
    while rest:
        start = rest.find("{")
        end = rest.find("}", start)
        if start < 0 or end < 0 or rest[start + 1 : end] not in values:
            text.append(rest)
            break
        text.append(rest[:start])
        text.append(literal(values[rest[start + 1 : end]]), style="bold")
        rest = rest[end + 1 :]
    return text


class OwnedScreen(DialogScreen[str | None]):
    """'Mary Cooper (Acme) is 张丽's customer, last contacted 12 days ago': ask, create, back."""

    BINDINGS = [
        Binding("a", f"dismiss('{ASK}')", N_("Ask for it")),
        Binding("c", f"dismiss('{CREATE}')", N_("Create anyway")),
        Binding("escape", "dismiss(None)", N_("Back")),
    ]

    def __init__(self, owned: Owned, today: date):
        super().__init__()
        self.owned = owned
        self.today = today

    def compose(self) -> ComposeResult:
        owned = self.owned
        with Vertical(classes="dialog", id="owned-dialog"):
            yield Label(_("A teammate's customer"), classes="dialog-title")
            yield Static(
                filled(
                    owned_sentence(),
                    customer=owned.customer(),
                    owner=owned.owner,
                    when=contacted(owned.last_contact, self.today),
                ),
                id="owned-said",
            )
            yield Static(Text(f"({_(HOW[owned.how])})", style="dim"), id="owned-how")
            yield Static(
                filled(
                    _("a: ask {owner} for it  c: create it anyway  esc: back to the form"), owner=owned.owner
                ),
                classes="dialog-keys",
            )


def ask_for(screen: "DataScreen", store: "Store", owned: Owned, today: date, retry: str) -> bool:
    """Write the ask for `owned` and say so; False (the reason on screen) when not written."""
    asked = screen._guard(lambda: ask_owner(store, owned.customer_id, owned.owner, today), retry)
    if asked is None:
        return False
    _followup, written = asked
    said = (
        _("Asked {owner} for {customer}: it is on their Today; no new customer made.")
        if written
        else _("{owner} has been asked for {customer} already; no new customer made.")
    )
    screen.notify(said.format(owner=owned.owner, customer=owned.customer()), markup=False)
    return True
