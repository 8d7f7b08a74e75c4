"""Form pieces for modal screens: a labelled input with its error beside it, and what a
field read (a day, a kind) said in the language shown."""

from collections.abc import Iterable
from datetime import date, datetime

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, Label, Static

from salesdesk.core.model import INTERACTION_KINDS, kind_name
from salesdesk.i18n import CHINESE, _, language, long_date


class FormBody(VerticalScroll):
    """The fields of a form, scrolling between its title and its keys when the terminal is
    short. Never focused itself: Tab goes from field to field, each scrolled into view."""

    can_focus = False

    def __init__(self, *children, **options) -> None:
        options["classes"] = " ".join(filter(None, ["form-body", options.get("classes", "")]))
        super().__init__(*children, **options)


class FieldInput(Input):
    """An input that keeps its text when focused: Tab onto a filled field puts the cursor at
    its end, and typing adds to the text instead of replacing it (Textual's Input selects
    it all on focus unless told not to)."""

    def __init__(self, value: str = "", **options) -> None:
        options.setdefault("select_on_focus", False)
        super().__init__(value, **options)


class FormField(Vertical):
    """A label, an input, and a line under it that says what is wrong or what was read."""

    def __init__(self, label: str, value: str = "", *, placeholder: str = "", id: str, private: bool = False):
        super().__init__(id=id, classes="form-field")
        self._label = label
        self._value = value
        self._placeholder = placeholder
        self._private = private  # an amount, phone or email: masked while privacy is on

    def compose(self) -> ComposeResult:
        yield Label(self._label, classes="form-label")
        yield FieldInput(self._value, placeholder=self._placeholder, id=f"{self.id}-input")
        hint = Static("", classes="form-hint", id=f"{self.id}-hint", markup=False)
        hint.display = False
        yield hint

    def on_mount(self) -> None:
        if self._private:
            self.watch(self.app, "privacy", self._privacy)

    def _privacy(self, on: bool) -> None:
        self.input.password = on

    @property
    def input(self) -> Input:
        return self.query_one(Input)

    @property
    def value(self) -> str:
        return self.input.value

    def show_error(self, message: str) -> None:
        hint = self.query_one(".form-hint", Static)
        hint.update(message)
        hint.display = True
        hint.set_class(True, "-error")
        self.add_class("-invalid")

    def show_hint(self, message: str) -> None:
        hint = self.query_one(".form-hint", Static)
        hint.update(message)
        hint.display = bool(message)
        hint.set_class(False, "-error")
        self.remove_class("-invalid")


def listed(words: Iterable[str]) -> str:
    """Words one after another as the language shown lists them: `call, email`; `电话、邮件`."""
    return _(", ").join(words)


def kinds_listed() -> str:
    """Every interaction kind, by the name a person types: `call, email, …`; `电话、邮件、…`."""
    return listed(kind_name(kind) for kind in INTERACTION_KINDS)


def day_shown(day: date) -> str:
    """The day a date field read, as its hint says it: `Sat 28 Nov 2026`; `2026年11月28日 周六`."""
    return long_date(day) if language() == CHINESE else f"{day:%a %d %b %Y}"


def moment_shown(moment: datetime) -> str:
    """A day and a time read from a field: `Fri 27 Nov 2026 14:30`; `2026年11月27日 周五 14:30`."""
    return f"{day_shown(moment.date())} {moment:%H:%M}"
