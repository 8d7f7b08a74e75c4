"""The salesdesk app: handed its store, its user and its today; screens do the work."""

from collections.abc import Iterable
from datetime import date
from functools import partial

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen

from salesdesk.store.store import Store


class SalesdeskApp(App):
    # Hides amounts, phone numbers and email addresses on every screen, for sharing
    # a screen with a customer in the room. Screens watch it.
    privacy = reactive(False)

    CSS_PATH = "salesdesk.tcss"
    TITLE = "salesdesk"
    ENABLE_COMMAND_PALETTE = True

    # Screens get a number key as they land: 1 Today, 2 Pipeline, 3 Customers, 4 Reports.
    BINDINGS = [
        Binding("1", "show_screen('today')", "Today", id="screen.today", show=False),
        Binding("2", "show_screen('pipeline')", "Pipeline", id="screen.pipeline", show=False),
        Binding("3", "show_screen('customers')", "Customers", id="screen.customers", show=False),
        Binding("asterisk", "toggle_privacy", "Privacy", key_display="*", id="app.privacy", show=False),
        Binding("question_mark", "toggle_keys", "Keys", id="app.keys"),
        Binding("q", "quit", "Quit", id="app.quit"),
    ]

    def __init__(self, store: Store, *, user: str, today: date):
        super().__init__()
        self.store = store
        self.user = user
        self.today = today
        self.sub_title = user

        # Each screen is a mode with its own stack, built (and its module imported)
        # the first time it is shown.
        self.add_mode("today", self._today_screen)
        self.add_mode("pipeline", self._pipeline_screen)
        self.add_mode("customers", self._customers_screen)

    def _today_screen(self) -> Screen:
        from salesdesk.tui.screens.today import TodayScreen

        return TodayScreen(self.store, user=self.user, today=self.today)

    def _pipeline_screen(self) -> Screen:
        from salesdesk.tui.screens.pipeline import PipelineScreen

        return PipelineScreen(self.store, user=self.user, today=self.today)

    def _customers_screen(self) -> Screen:
        from salesdesk.tui.screens.customers import CustomersScreen

        return CustomersScreen(self.store, user=self.user, today=self.today)

    def open_customer(self, customer_id: str) -> None:
        """Show one customer on the Customers screen, from anywhere."""
        self.switch_mode("customers")
        self.call_after_refresh(lambda: self.screen.show_customer(customer_id))

    def action_toggle_privacy(self) -> None:
        self.privacy = not self.privacy
        self.notify("Privacy on: amounts, phones and emails hidden." if self.privacy else "Privacy off.")

    def on_mount(self) -> None:
        self.switch_mode("today")

    def action_show_screen(self, name: str) -> None:
        if self.current_mode != name:
            self.switch_mode(name)

    def action_toggle_keys(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every action bound where the focus is, so the palette reaches them all."""
        seen = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            if not binding.description or binding.action in seen:
                continue
            seen.add(binding.action)
            key = binding.key_display or self.get_key_display(binding)
            yield SystemCommand(binding.description, f"key: {key}",
                                partial(self.run_action, binding.action, active.node))
        yield from super().get_system_commands(screen)
