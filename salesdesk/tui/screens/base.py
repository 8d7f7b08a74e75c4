"""What the list screens share: refusals shown, and catching up with changes made elsewhere."""

from textual.screen import Screen

from salesdesk.core.errors import SalesdeskError


class DataScreen(Screen):
    """A screen over the store. Subclasses say how to show fresh data in `show_fresh`."""

    loaded_generation = 0  # the app's count of outside changes this screen last loaded at

    def on_screen_resume(self) -> None:
        if self.loaded_generation != self.app.data_generation:
            self.reload_data()

    def reload_data(self) -> None:
        """Read again what is shown: another process or a teammate changed the database."""
        self.loaded_generation = self.app.data_generation
        self.show_fresh()

    def show_fresh(self) -> None:
        raise NotImplementedError

    def _guard(self, work):
        """Run a store call; a refusal becomes a message on screen, never a crash."""
        try:
            return work()
        except SalesdeskError as error:
            self.notify(str(error), severity="error", markup=False)
            return None
