"""What the screens share: the app they belong to, refusals shown, and catching up with
changes made elsewhere."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from textual.screen import Screen

from salesdesk.core.errors import SalesdeskError

if TYPE_CHECKING:
    from textual import getters

    from salesdesk.tui.app import SalesdeskApp

T = TypeVar("T")


class SalesdeskScreen(Screen[Any]):
    """A screen of salesdesk's own app (its count of outside changes, its privacy mode)."""

    if TYPE_CHECKING:  # for the type checker only, as Textual types its own `app`
        app = getters.app(SalesdeskApp)

    def reload_data(self) -> None:
        """Read again what is shown: another process or a teammate changed the database."""


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

    def _guard(self, work: Callable[[], T]) -> T | None:
        """Run a store call; a refusal becomes a message on screen, never a crash."""
        try:
            return work()
        except SalesdeskError as error:
            self.notify(str(error), severity="error", markup=False)
            return None

    def _attempt(self, work: Callable[[], object]) -> bool:
        """Run a store call that returns nothing; whether it was done (see `_guard`)."""
        try:
            work()
        except SalesdeskError as error:
            self.notify(str(error), severity="error", markup=False)
            return False
        return True
