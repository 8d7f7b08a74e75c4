"""What the cloud provider holds: a team folder built from the demo shows none of its people.

Three devices (ann with the small demo, bob and cai joining it) publish into one folder
through the command line, with customers edited and deleted on the way (so the change
log holds values no table holds any more). Then every file of the folder is read as bytes
and searched for every name, company, phone number and email address the demo's change
log ever held, in UTF-8, UTF-16 (both byte orders), GB18030, JSON's ASCII escapes, and
lowercased. The same search over the demo's own database file finds them: the needles
are real.

A needle shorter than `SHORTEST` bytes in some encoding is not searched in that one: a
4-byte string turns up by chance in a megabyte of random bytes about once in 4,000
folders, a 6-byte one about once in 280 million.
"""

import json
import re
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from salesdesk.demo import write_demo
from salesdesk.store.store import Store
from tests.conftest import FakeClock

SHORTEST = 6
CODE = re.compile(r"^\s*([A-Z2-7]{4}(?:-[A-Z2-7]{1,4}){5,})\s*$", re.M)
FIELDS = ("name", "company", "phone", "phone_key", "email")
ENCODINGS = ("utf-8", "utf-16-le", "utf-16-be", "gb18030")


def salesdesk(db, user, *args):
    result = subprocess.run(
        [sys.executable, "-m", "salesdesk", "--db", str(db), "--user", user, *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def secrets_of(*databases):
    """Every name, company, phone and email any change of these databases ever held."""
    found = set()
    for path in databases:
        connection = sqlite3.connect(path)
        try:
            for (data,) in connection.execute("SELECT data FROM changes WHERE tbl = 'customers'"):
                values = json.loads(data)
                for field in FIELDS:
                    if isinstance(values.get(field), str) and values[field].strip():
                        found.add(values[field])
        finally:
            connection.close()
    return found


def forms(secret):
    """The byte strings a secret may be written as."""
    shown = {secret.encode(encoding, errors="ignore") for encoding in ENCODINGS}
    shown.add(secret.lower().encode("utf-8"))
    shown.add(json.dumps(secret)[1:-1].encode("ascii"))  # "\u5434\u6770"
    shown.add(json.dumps(secret.lower())[1:-1].encode("ascii"))
    return {form for form in shown if len(form) >= SHORTEST}


def found_in(blobs, secrets):
    return sorted(
        secret for secret in secrets if any(form in blob for blob in blobs for form in forms(secret))
    )


@pytest.mark.slow
def test_no_file_of_the_team_folder_shows_a_customer(tmp_path):
    share = tmp_path / "share"
    share.mkdir()
    ann_db, bob_db, cai_db = tmp_path / "ann.db", tmp_path / "bob.db", tmp_path / "cai.db"
    write_demo(ann_db, "small", datetime(2026, 11, 27, 9, 0, tzinfo=UTC), "ann")
    ann = Store.open(ann_db, "ann", FakeClock())
    try:
        customers = [row[0] for row in ann.db.execute("SELECT id FROM customers ORDER BY id")]
        ann.delete_customer(customers[0])  # deleted: its data lives on only in the change log
        ann.update_customer(
            customers[1], {"phone": "+86 139 0000 4321", "email": "renamed.one@yangtze-trade.cn"}
        )
    finally:
        ann.close()
    created = salesdesk(ann_db, "ann", "team", "create", str(share))
    code = CODE.search(created)
    assert code, created
    for db, user in ((bob_db, "bob"), (cai_db, "cai")):
        salesdesk(db, user, "team", "join", str(share), "--code", code[1])
        salesdesk(db, user, "sync")
    bob = Store.open(bob_db, "bob", FakeClock())
    try:
        bob.add_customer(
            "Zhang Xiaoming",
            company="Ningbo Harbour Fittings",
            phone="+86 137 5555 0123",
            email="xiaoming.zhang@harbour-fit.cn",
        )
        bob.delete_customer(customers[2])
    finally:
        bob.close()
    salesdesk(bob_db, "bob", "sync")
    for db, user in ((cai_db, "cai"), (ann_db, "ann"), (bob_db, "bob")):
        salesdesk(db, user, "sync")

    secrets = secrets_of(ann_db, bob_db)
    assert {"Zhang Xiaoming", "renamed.one@yangtze-trade.cn"} <= secrets
    assert len(secrets) > 100
    files = [path for path in share.rglob("*") if path.is_file()]
    assert len(files) >= 7  # the team record, three device records, their segments
    blobs = [path.read_bytes() for path in files]
    assert found_in(blobs, secrets) == []
    # The same search finds them in a plain copy: what it looks for is really there.
    plain = found_in([path.read_bytes() for path in tmp_path.glob("ann.db*") if path.is_file()], secrets)
    assert len(plain) > 0.9 * len(secrets)
    assert {"renamed.one@yangtze-trade.cn", "Zhang Xiaoming"} <= set(plain)
    # The names in the folder say nothing but the order of files.
    for path in files:
        relative = path.relative_to(share).parts
        assert relative[0] == "salesdesk-team"
        assert relative[1:] == ("team",) or re.fullmatch(r"[0-9a-f]+", relative[1])
        if len(relative) == 3:
            assert re.fullmatch(r"device|c?\d{8}", relative[2])
