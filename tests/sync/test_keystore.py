"""Where the team keys are kept (sync.keystore): the keyring, or a file only the user reads."""

import json
import os
import stat

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked

from salesdesk.sync import crypto, keystore
from salesdesk.sync.keystore import KeystoreError

TEAM, DEVICE = "7e3a9c0d5b1f2e48", "3fa2c81d09be4f77"


class MemoryKeyring(KeyringBackend):
    """A keyring that keeps its passwords in a dict: the keyring branch, without a real one."""

    priority = 1  # type: ignore[assignment]

    def __init__(self):
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.passwords.get((service, username))

    def set_password(self, service, username, password):
        self.passwords[(service, username)] = password

    def delete_password(self, service, username):
        self.passwords.pop((service, username), None)


class LockedKeyring(MemoryKeyring):
    """A keyring that is there but refuses (locked, no session bus)."""

    def get_password(self, service, username):
        raise KeyringLocked("locked")

    set_password = get_password  # type: ignore[assignment]


@pytest.fixture
def own_keyring():
    """Install a keyring for one test; the one before it (the tests' fail backend) after."""
    before = keyring.get_keyring()
    installed = []

    def install(backend):
        keyring.set_keyring(backend)
        installed.append(backend)
        return backend

    yield install
    keyring.set_keyring(before)


def test_without_a_keyring_the_keys_go_to_a_file_only_the_user_reads(tmp_path):
    assert not keystore.keyring_usable()  # the tests' environment: keyring's fail backend
    key = crypto.new_team_key()
    where = keystore.save_keys(tmp_path, TEAM, DEVICE, [key])
    path = tmp_path / keystore.FILE_NAME
    assert where == f"the file {path}, readable by you only"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert keystore.load_keys(tmp_path, TEAM, DEVICE) == [key]
    assert key.hex() in path.read_text()
    assert [p.name for p in tmp_path.iterdir()] == [keystore.FILE_NAME]  # no temporary left


def test_the_file_is_0600_whatever_the_umask(tmp_path):
    old = os.umask(0)
    try:
        keystore.save_keys(tmp_path, TEAM, DEVICE, [crypto.new_team_key()])
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / keystore.FILE_NAME).st_mode) == 0o600


def test_a_new_key_comes_first_and_the_old_ones_stay(tmp_path):
    old, new = crypto.new_team_key(), crypto.new_team_key()
    keystore.add_key(tmp_path, TEAM, DEVICE, old)
    keystore.add_key(tmp_path, TEAM, DEVICE, new)
    keystore.add_key(tmp_path, TEAM, DEVICE, new)  # joining again with the same code
    assert keystore.load_keys(tmp_path, TEAM, DEVICE) == [new, old]


def test_no_keys_kept_is_an_empty_list_and_another_teams_keys_are_not_ours(tmp_path):
    assert keystore.load_keys(tmp_path, TEAM, DEVICE) == []
    keystore.save_keys(tmp_path, "another", DEVICE, [crypto.new_team_key()])
    assert keystore.load_keys(tmp_path, TEAM, DEVICE) == []


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not json",
        "[]",
        json.dumps({"team": TEAM}),
        json.dumps({"team": TEAM, "keys": ["abc"]}),
        json.dumps({"team": TEAM, "keys": ["zz" * 32]}),
        json.dumps({"team": TEAM, "keys": "ab" * 32}),
        "[" * 100_000,
    ],
)
def test_a_damaged_key_file_is_a_sentence(tmp_path, text):
    (tmp_path / keystore.FILE_NAME).write_text(text)
    with pytest.raises(KeystoreError, match="are damaged; run 'salesdesk team join'"):
        keystore.load_keys(tmp_path, TEAM, DEVICE)


def test_with_a_keyring_the_keys_go_there_per_copy(tmp_path, own_keyring):
    backend = own_keyring(MemoryKeyring())
    assert keystore.keyring_usable()
    key = crypto.new_team_key()
    where = keystore.save_keys(tmp_path, TEAM, DEVICE, [key])
    assert where == "your keyring (test keystore MemoryKeyring)"
    assert list(backend.passwords) == [("salesdesk", f"{TEAM}:{DEVICE}")]
    assert not (tmp_path / keystore.FILE_NAME).exists()
    assert keystore.load_keys(tmp_path, TEAM, DEVICE) == [key]
    # Another copy on this machine (another device id) keeps its own.
    assert keystore.load_keys(tmp_path, TEAM, "0123456789abcdef") == []


def test_a_key_kept_in_the_file_is_still_found_once_a_keyring_appears(tmp_path, own_keyring):
    key = crypto.new_team_key()
    keystore.save_keys(tmp_path, TEAM, DEVICE, [key])
    own_keyring(MemoryKeyring())
    assert keystore.load_keys(tmp_path, TEAM, DEVICE) == [key]
    newer = crypto.new_team_key()
    assert keystore.add_key(tmp_path, TEAM, DEVICE, newer).startswith("your keyring")
    assert not (tmp_path / keystore.FILE_NAME).exists()  # moved, not copied
    assert keystore.load_keys(tmp_path, TEAM, DEVICE) == [newer, key]


def test_a_keyring_that_refuses_means_the_file(tmp_path, own_keyring):
    own_keyring(LockedKeyring())
    key = crypto.new_team_key()
    assert keystore.save_keys(tmp_path, TEAM, DEVICE, [key]).startswith("the file ")
    assert keystore.load_keys(tmp_path, TEAM, DEVICE) == [key]


def test_the_null_keyring_is_no_keyring(tmp_path, own_keyring):
    from keyring.backends import null

    own_keyring(null.Keyring())
    assert not keystore.keyring_usable()
    assert keystore.save_keys(tmp_path, TEAM, DEVICE, [crypto.new_team_key()]).startswith("the file ")


def test_a_damaged_keyring_entry_is_a_sentence(tmp_path, own_keyring):
    backend = own_keyring(MemoryKeyring())
    backend.passwords[("salesdesk", f"{TEAM}:{DEVICE}")] = "{"
    words = r"kept in your keyring \(test keystore MemoryKeyring\) are damaged"
    with pytest.raises(KeystoreError, match=words):
        keystore.load_keys(tmp_path, TEAM, DEVICE)
