"""The lead pool's rules in a dialog of their own: from the settings (ctrl+l) and the Pool
screen (,). Team settings: they sync to every teammate, and every copy's pool follows."""

import sqlite3
from collections.abc import Callable
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Input, Label, Static

from salesdesk.core.errors import InvalidValue
from salesdesk.core.pool import (
    POOL_SETTING_KEYS,
    TIER_IDLE_SETTING,
    PoolRules,
    format_tier_idle_days,
    parse_pool_setting,
    setting_values,
)
from salesdesk.i18n import N_, _
from salesdesk.store.store import Store
from salesdesk.tui.screens.base import ENTER_AGAIN, Save, SavingDialog, show_fault
from salesdesk.tui.widgets.form import FormBody, FormField

POOL_LABELS = {
    "pool_idle_days": N_("Back to the pool after (days without an interaction by its owner)"),
    TIER_IDLE_SETTING: N_("Days by value tier (such as A 60, B 45; others: the days above)"),
    "pool_no_deal_days": N_("Back after (days with no deal; 0: never)"),
    "pool_warn_days": N_("Warn the owner on Today (days before)"),
    "pool_cooldown_days": N_("The former owner claims it back after (days)"),
    "pool_claim_limit": N_("Claim limit (leads and prospects a person owns; 0: no limit)"),
}


class PoolSettingsScreen(SavingDialog[dict | None]):
    """The pool's rules (core.pool): each checked as typed, one sentence under a field."""

    def __init__(self, rules: PoolRules, *, save: Save | None = None):
        super().__init__(save=save)
        self.values = setting_values(rules)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog form", id="pool-settings-dialog"):
            yield Label(_("Lead pool rules (for the whole team)"), classes="dialog-title")
            with FormBody():
                for key in POOL_SETTING_KEYS:
                    value = self.values[key]
                    text = format_tier_idle_days(value) if isinstance(value, dict) else str(value)
                    yield FormField(_(POOL_LABELS[key]), text, id=key)
            yield Static(_("enter: save  ·  tab: next field  ·  esc: cancel"), classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one(f"#{POOL_SETTING_KEYS[0]}", FormField).input.focus()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        values: dict[str, object] = {}
        ok = True
        for key in POOL_SETTING_KEYS:
            field = self.query_one(f"#{key}", FormField)
            try:
                values[key] = parse_pool_setting(key, field.value)
                field.show_hint("")
            except InvalidValue as error:
                field.show_error(str(error))
                ok = False
        if ok:
            self.finish(values)


def open_pool_settings(screen: Screen[Any], store: Store, done: Callable[[], None] | None = None) -> None:
    """Push the dialog over `screen`; the rules saved when it closes with enter."""
    from salesdesk.core.pool import pool_rules

    if getattr(screen.app, "read_only", False):
        from salesdesk.tui.faults import read_only_why

        screen.notify(read_only_why(str(store.path)), severity="warning", markup=False)
        return

    def save(values: dict) -> bool:
        try:
            with store.records.transaction():
                for key, value in values.items():
                    if store.setting(key) != value:
                        store.set_setting(key, value)
        except sqlite3.Error as error:
            show_fault(screen.app.screen, error, ENTER_AGAIN)
            return False
        return True

    def answered(values: dict | None) -> None:
        if values is not None:
            screen.notify(_("Lead pool rules saved."), markup=False)
            if done is not None:
                done()

    screen.app.push_screen(PoolSettingsScreen(pool_rules(store.setting), save=save), answered)
