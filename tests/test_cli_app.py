"""`salesdesk` with no command opens the app; its exit status tells the shell how it ended."""

from datetime import UTC, datetime

import pytest

from salesdesk.cli.main import main
from salesdesk.store.store import Store


@pytest.fixture
def headless(monkeypatch):
    # The driver Textual would take from TEXTUAL_DRIVER: no terminal needed.
    monkeypatch.setattr("textual.constants.DRIVER", "textual.drivers.headless_driver:HeadlessDriver")


def test_an_app_that_fails_exits_non_zero(tmp_path, monkeypatch, headless):
    db = tmp_path / "crm.db"
    Store.open(db, "ana", lambda: datetime(2026, 12, 1, 9, tzinfo=UTC)).close()
    from salesdesk.tui.app import SalesdeskApp

    def fail(self):
        raise RuntimeError("the app failed once Today was on screen")

    monkeypatch.setattr(SalesdeskApp, "started", fail)
    assert main(["--db", str(db), "--user", "ana"]) == 1


def test_an_app_that_is_quit_exits_zero(tmp_path, monkeypatch, headless):
    db = tmp_path / "crm.db"
    Store.open(db, "ana", lambda: datetime(2026, 12, 1, 9, tzinfo=UTC)).close()
    from salesdesk.tui.app import SalesdeskApp

    started = SalesdeskApp.started

    def quit_once_started(self):
        started(self)
        self.exit()

    monkeypatch.setattr(SalesdeskApp, "started", quit_once_started)
    assert main(["--db", str(db), "--user", "ana"]) == 0
