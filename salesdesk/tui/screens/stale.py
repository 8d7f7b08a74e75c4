"""A save refused because the record changed elsewhere: both values, field by field.

Nothing is overwritten without the user choosing to: `m` keeps what they typed (only
the fields they changed are written, over the record as it is now), `t` takes the
values saved elsewhere, `esc` goes back.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Label, Static

from salesdesk.core.text import literal
from salesdesk.i18n import N_, _
from salesdesk.tui.privacy import PRIVATE_FIELDS, masked, privacy_on
from salesdesk.tui.screens.base import DialogScreen
from salesdesk.tui.widgets.key_bar import translate_keys

MINE, THEIRS = "mine", "theirs"
EMPTY = N_("(empty)")


@dataclass(frozen=True)
class Difference:
    label: str
    mine: str  # as the user typed it
    theirs: str  # as it was saved elsewhere
    changed_by_me: bool  # False: the user left it as it was; theirs stays either way
    private: bool = False  # an amount, phone or email: hidden while privacy is on


def same(a, b) -> bool:
    """Equal as a person sees it: an empty field is empty whether stored as NULL or ''."""
    return (a if a is not None else "") == (b if b is not None else "")


def my_changes(original: dict, typed: dict) -> dict:
    """The fields the user changed from the record as they opened it."""
    return {name: value for name, value in typed.items() if not same(value, original.get(name))}


def differences(
    original: dict,
    typed: dict,
    current: dict,
    fields: Iterable[tuple[str, str]],
    show: Callable[[str, object], str] = lambda name, value: literal(value),
) -> list[Difference]:
    """Per field (name, label) where what the user would save differs from what is saved now.

    The labels are the forms' own, marked with `N_`: each is shown in the language shown."""
    mine = my_changes(original, typed)
    found = []
    for name, label in fields:
        if name not in typed or same(typed[name], current.get(name)):
            continue
        found.append(
            Difference(
                _(label),
                _shown(show, name, typed[name]),
                _shown(show, name, current.get(name)),
                name in mine,
                name in PRIVATE_FIELDS,
            )
        )
    return found


def _shown(show, name, value) -> str:
    return _(EMPTY) if value is None or value == "" else literal(show(name, value))


class StaleScreen(DialogScreen[str | None]):
    """Shows both values of every field that differs; returns MINE, THEIRS or None (back)."""

    BINDINGS = [
        Binding("m", "dismiss('mine')", N_("Keep mine")),
        Binding("t", "dismiss('theirs')", N_("Take theirs")),
        Binding("escape", "dismiss(None)", N_("Back")),
    ]

    def __init__(self, what: str, rows: list[Difference]):
        super().__init__()
        translate_keys(self)
        self.what = what
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide-auto", id="stale-dialog"):
            yield Label(_("Changed elsewhere while you edited"), classes="dialog-title")
            before, _name, after = _(
                "{what} was saved by someone else (another window or a teammate) after you opened it. "
                "Nothing has been overwritten."
            ).partition("{what}")
            yield Static(Text.assemble(before, (literal(self.what), "bold"), after), id="stale-intro")
            with VerticalScroll(id="stale-fields"):
                yield Static(self._table(), id="stale-table")
            yield Static(
                _("m: keep mine (writes the fields you changed)  t: take theirs  esc: back"),
                classes="dialog-keys",
            )

    def _table(self) -> Table:
        table = Table(expand=True, show_edge=False, pad_edge=False, header_style="bold")
        table.add_column(_("Field"), ratio=2)
        table.add_column(_("Yours"), ratio=4)
        table.add_column(_("Saved elsewhere"), ratio=4)
        for row in self.rows:
            hide = row.private and privacy_on(self)
            yours = Text(masked(row.mine, hide))
            if not row.changed_by_me:
                yours.append("  " + _("(you left it; theirs stays)"), style="dim")
            table.add_row(Text(row.label), yours, Text(masked(row.theirs, hide)))
        return table

    def on_mount(self) -> None:
        table = self.query_one("#stale-table", Static)
        self.watch(self.app, "privacy", lambda _: table.update(self._table()), init=False)
