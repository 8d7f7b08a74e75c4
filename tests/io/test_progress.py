"""The progress bar of a large import: drawn on a terminal, never into a pipe."""

import io

from rich.console import Console

from salesdesk.cli.imports import PROGRESS_FROM_ROWS, _progress


def test_a_large_import_on_a_terminal_shows_a_bar():
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=80)
    with _progress(PROGRESS_FROM_ROWS, console) as advance:
        assert advance is not None
        advance("matching", PROGRESS_FROM_ROWS // 2)
        advance("saving", PROGRESS_FROM_ROWS)
    drawn = out.getvalue()
    assert "━" in drawn and "Saving" in drawn and f"{PROGRESS_FROM_ROWS}/{PROGRESS_FROM_ROWS}" in drawn


def test_no_bar_for_a_small_import_or_a_pipe():
    terminal = Console(file=io.StringIO(), force_terminal=True)
    with _progress(PROGRESS_FROM_ROWS - 1, terminal) as advance:
        assert advance is None
    pipe = Console(file=io.StringIO(), force_terminal=False)
    with _progress(100_000, pipe) as advance:
        assert advance is None
