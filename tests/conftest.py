"""Shared fixtures: a controllable clock and a fresh store on a tmp_path database."""

import os
from datetime import UTC, date, datetime, timedelta

import pytest

from salesdesk import i18n
from salesdesk.store.store import Store

# The tests read English unless they ask for another language, whatever the machine's
# locale: the processes they start inherit this, and gettext reads LANGUAGE first.
os.environ["LANGUAGE"] = "en"
# No test touches the machine's keyring: team keys go to a file (sync.keystore), unless a
# test sets a keyring of its own.
KEYRING_BACKEND = "keyring.backends.fail.Keyring"
os.environ["PYTHON_KEYRING_BACKEND"] = KEYRING_BACKEND

START = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)  # a Friday
TODAY = START.date()


class FakeClock:
    """A clock the test moves by hand: `clock()` is what the store reads."""

    def __init__(self, now: datetime = START):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now

    def today(self) -> date:
        return self.now.date()


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: long-running tests (deselect with -m 'not slow')")


@pytest.fixture(autouse=True)
def english():
    """Each test starts in English, and one that changed the language leaves English."""
    i18n.set_language(i18n.ENGLISH)
    yield
    i18n.set_language(i18n.ENGLISH)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(tmp_path, clock):
    opened = Store.open(tmp_path / "t.db", "ann", clock)
    yield opened
    opened.close()


@pytest.fixture(autouse=True)
def _own_cache_folder(tmp_path_factory, monkeypatch):
    """The command line keeps holiday years in the user cache folder: a test's own folder."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "cache"))
    yield
    from salesdesk.core import calendars

    calendars.keep_years_in(None)


@pytest.fixture(autouse=True)
def _no_real_keyring(monkeypatch):
    """The keyring package reads this when it picks a backend, and so do the processes started."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", KEYRING_BACKEND)
