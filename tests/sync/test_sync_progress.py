"""A long sync says what it is doing while it does it: on a terminal's one line, never in
a script's output."""

import io

from salesdesk.cli.common import TerminalProgress
from salesdesk.sync import folder as teamfolder
from salesdesk.sync import merge
from salesdesk.sync import team as teamsync
from tests.sync.conftest import Device


def test_a_join_says_whose_files_it_reads_how_far_the_merge_is_and_that_it_works_out_the_pool(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(merge, "PROGRESS_EVERY", 10)
    shared = tmp_path / "share"
    shared.mkdir()
    ann, bob = Device(tmp_path, "ann"), Device(tmp_path, "bob")
    try:
        for n in range(25):
            ann.store.add_customer(f"Customer {n}")
        code, _ = teamfolder.create(ann.store, shared)
        said: list[str] = []
        report, _where = teamsync.join(bob.store, shared, code, said.append)
        merged = report.merged[0].entries
        assert merged >= 25
        assert said[0] == "Reading ann's files…"
        assert "Merging ann's changes: 10 of " in said[1] and "Merging ann's changes: 20 of " in said[2]
        assert said[-2] == f"Merged {merged:,} of ann's changes; saving them…"
        # The pool's rows of the customers that came, worked out now, not at the first Today.
        assert said[-1] == "Working out which customers go back to the pool…"
        assert bob.store.db.execute("SELECT count(*) FROM pool_dirty").fetchone() == (0,)
        assert bob.store.db.execute("SELECT count(*) FROM pool_kept").fetchone() == (25,)
        # A sync with nothing new to read says nothing.
        said.clear()
        teamsync.sync_once(bob.store, said.append)
        assert said == []
    finally:
        ann.store.close()
        bob.store.close()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_one_line_rewritten_in_place_and_cleared_at_the_end(monkeypatch):
    monkeypatch.setattr("shutil.get_terminal_size", lambda: __import__("os").terminal_size((20, 5)))
    terminal = _Terminal()
    with TerminalProgress(terminal) as progress:
        progress("Reading ann's files…")
        progress("正在合并 ann 的更改：10 / 25…")
        progress("a \x1b[31m red")  # shown literally, never obeyed
    assert terminal.getvalue() == (
        "\rReading ann's files\x1b[K"  # cut to 19 cells: the last column stays free
        "\r正在合并 ann 的更改\x1b[K"  # 19 cells too, a wide character being two
        "\ra ␛[31m red\x1b[K"
        "\r\x1b[K"
    )


def test_progress_writes_nothing_where_no_one_watches():
    pipe = io.StringIO()
    with TerminalProgress(pipe) as progress:
        progress("Reading ann's files…")
    assert pipe.getvalue() == ""


def test_merging_a_copy_says_how_many_of_its_new_changes_are_taken(tmp_path, monkeypatch):
    from salesdesk.cli.team import merging

    monkeypatch.setattr(merge, "PROGRESS_EVERY", 10)
    ann, bob = Device(tmp_path, "ann"), Device(tmp_path, "bob")
    try:
        for n in range(25):
            ann.store.add_customer(f"Customer {n}")
        said: list[str] = []
        report = merge.merge_database(bob.store, ann.snapshot(), progress=merging(said.append, "ann.db"))
        total = report.entries
        assert total >= 25
        assert said == [f"Merging ann.db: {n} of {total:,} new changes…" for n in range(10, total, 10)]
    finally:
        ann.store.close()
        bob.store.close()
