"""Form pieces for modal screens: a labelled input with its error beside it."""

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, Static


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
        yield Input(self._value, placeholder=self._placeholder, id=f"{self.id}-input")
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
