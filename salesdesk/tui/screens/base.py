"""What the screens share: the app they belong to, refusals and storage faults shown,
writes refused in a read-only database, dialogs that save before they close and ask
before throwing typed changes away, and catching up with changes made elsewhere."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from textual.binding import Binding
from textual.screen import ModalScreen, Screen

from salesdesk.core.errors import SalesdeskError
from salesdesk.i18n import N_, _
from salesdesk.tui import faults
from salesdesk.tui.widgets.key_bar import translate_keys

if TYPE_CHECKING:
    from textual import getters
    from textual.app import ComposeResult

    from salesdesk.tui.app import SalesdeskApp

T = TypeVar("T")
R = TypeVar("R")
S = TypeVar("S", bound="SalesdeskScreen")

Save = Callable[[Any], bool]  # writes a dialog's answer; whether it was written

AGAIN = "press the key again"  # how a key's write is tried again
SAVE_AGAIN = "press ctrl+s again"  # how a form's
ENTER_AGAIN = "press enter again"  # how a one-line dialog's

DISCARD_TITLE = N_("Discard the changes?")
DISCARD_TEXT = N_("What you typed in this form is not saved yet.")
DISCARD_KEYS = N_("y: discard them  n, enter or esc: keep editing")

# A terminal this short or narrow gets compact dialogs (see salesdesk.tcss): every form
# scrolls inside its dialog, so no field and no key hint is out of reach at 60x15.
SHORT_BELOW, NARROW_BELOW = 36, 80


def show_fault(node: Screen[Any], error: sqlite3.Error, retry: str) -> None:
    """Say on screen why the database did not take a write; a read-only one makes the app read-only."""
    app: SalesdeskApp = node.app  # type: ignore[assignment]
    if faults.kind_of(error) == faults.READ_ONLY:
        app.became_read_only()
    message = faults.sentence(error, str(app.store.path), retry)
    node.notify(message, severity="error", markup=False, timeout=10)


def writes(action: Callable[..., T]) -> Callable[..., T | None]:
    """For an action that changes the database: in a read-only one it says why it cannot."""

    @wraps(action)
    def guarded(self: SalesdeskScreen, *args: object) -> T | None:
        if self.refused_read_only():
            return None
        return action(self, *args)

    return guarded


class SalesdeskScreen(Screen[Any]):
    """A screen of salesdesk's own app (its count of outside changes, its privacy mode)."""

    if TYPE_CHECKING:  # for the type checker only, as Textual types its own `app`
        app = getters.app(SalesdeskApp)

    def reload_data(self) -> None:
        """Read again what is shown: another process or a teammate changed the database."""

    def refused_read_only(self) -> bool:
        """True (and a notification saying why) when the database cannot be written."""
        if not self.app.read_only:
            return False
        self.notify(faults.read_only_why(str(self.app.store.path)), severity="warning", markup=False)
        return True

    def read_failed(self, message: str) -> None:
        """From a worker thread: why a read failed, on screen as an error (literally)."""
        self.app.call_from_thread(self.notify, message, severity="error", markup=False)

    def _try(self, work: Callable[[], T], retry: str = AGAIN) -> tuple[T | None, bool]:
        """Run a store call: (its result, True), or (None, False) with the reason on screen.

        A refusal (SalesdeskError) and a database that cannot take the write (busy,
        read-only, full) are messages, never a crash.
        """
        try:
            return work(), True
        except SalesdeskError as error:
            self.notify(str(error), severity="error", markup=False)
        except sqlite3.Error as error:
            show_fault(self, error, retry)
        return None, False


class DataScreen(SalesdeskScreen):
    """A screen over the store. Subclasses say how to show fresh data in `show_fresh`."""

    loaded_generation = 0  # the app's count of outside changes this screen last loaded at

    def on_screen_resume(self) -> None:
        if self.loaded_generation != self.app.data_generation:
            self.reload_data()

    def reload_data(self) -> None:
        self.loaded_generation = self.app.data_generation
        self.show_fresh()

    def show_fresh(self) -> None:
        raise NotImplementedError

    def _guard(self, work: Callable[[], T], retry: str = AGAIN) -> T | None:
        """Run a store call; a refusal or a storage fault becomes a message on screen."""
        return self._try(work, retry)[0]

    def _attempt(self, work: Callable[[], object], retry: str = AGAIN) -> bool:
        """Run a store call that returns nothing; whether it was done (see `_guard`)."""
        return self._try(work, retry)[1]


class DialogScreen(ModalScreen[R], Generic[R]):
    """A modal dialog of the app: centred over the screen, compact on a small terminal."""

    VERTICAL_BREAKPOINTS = [(0, "-short"), (SHORT_BELOW, "-tall")]
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW_BELOW, "-wide")]

    if TYPE_CHECKING:
        app = getters.app(SalesdeskApp)

    def __init__(self, *, classes: str = "dialog-screen"):
        super().__init__(classes=classes)
        translate_keys(self)  # every dialog's keys, in the help panel, in the language shown


class DiscardScreen(DialogScreen[bool]):
    """Esc on a changed form: throw away what was typed? Only on y; keeping is the default."""

    BINDINGS = [
        Binding("y", "dismiss(True)", N_("Discard")),
        Binding("n,enter,escape", "dismiss(False)", N_("Keep editing")),
    ]

    def compose(self) -> ComposeResult:
        from textual.containers import Vertical
        from textual.widgets import Label, Static

        with Vertical(classes="dialog", id="discard-dialog"):
            yield Label(_(DISCARD_TITLE), classes="dialog-title")
            yield Static(_(DISCARD_TEXT))
            yield Static(_(DISCARD_KEYS), classes="dialog-keys")


def form_values(screen: Screen[Any]) -> tuple:
    """What the fields of a form hold now, in the order they are shown."""
    from textual.widgets import Input, Select, SelectionList, TextArea  # a form is open: loaded

    values: list[object] = []
    for widget in screen.query("*"):
        if isinstance(widget, Input):
            values.append(widget.value)
        elif isinstance(widget, TextArea):
            values.append(widget.text)
        elif isinstance(widget, SelectionList):
            values.append(tuple(sorted(map(str, widget.selected))))
        elif isinstance(widget, Select):
            values.append(widget.value)
    return tuple(values)


class SavingDialog(DialogScreen[R], Generic[R]):
    """A dialog whose answer is written before it closes.

    Given `save`, the dialog calls it with the answer and closes only if it returns
    True: a write the database refused (busy, read-only, full) leaves the dialog open
    with what was typed, for ctrl+s (or enter) again. Without `save` it just closes.

    Esc closes it with `CANCELLED` at once when nothing was changed since it opened; when
    something was, it asks first, and keeps the form unless the answer is y.
    """

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]
    CANCELLED: Any = None  # the answer of a form closed with esc

    def __init__(self, *, save: Save | None = None, classes: str = "dialog-screen"):
        super().__init__(classes=classes)
        self._saver = save
        self._opened: tuple | None = None

    def on_mount(self) -> None:
        # After the subclass's own on_mount, which may fill a field in or focus one.
        self._opened = form_values(self)
        self.call_after_refresh(self._show_focused)

    def _show_focused(self) -> None:
        """The field a form opens on, scrolled into view once the form has its size."""
        if self.focused is not None:
            self.focused.scroll_visible(animate=False, immediate=True)

    @property
    def changed(self) -> bool:
        """Whether any field differs from what it held when the dialog opened."""
        return self._opened is not None and form_values(self) != self._opened

    def action_cancel(self) -> None:
        if not self.changed:
            self.dismiss(self.CANCELLED)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(self.CANCELLED)

        self.app.push_screen(DiscardScreen(), answered)

    def finish(self, answer: R) -> None:
        if self._saver is not None and not self._saver(answer):
            return
        self.dismiss(answer)
