"""The screenshot command's SVG: every character on the cells the terminal gives it."""

import re

from salesdesk.tui.screenshots import cell_lengths

LINE = 'clip-path="url(#t-line-3)"'


def _text(x: float, length: float, content: str) -> str:
    return f'<text class="t-r2" x="{x:g}" y="44.4" textLength="{length:g}" {LINE}>{content}</text>'


def _placed(svg: str) -> list[tuple[str, str | None, str]]:
    """(x, textLength or None, text) of each run."""
    return [
        (x, length or None, text)
        for x, length, text in re.findall(
            r'x="([0-9.]+)" y="[0-9.]+" (?:textLength="([0-9.]+)")?[^>]*>([^<]*)<', svg
        )
    ]


def test_a_wide_character_is_written_on_its_own_two_cells_and_what_follows_on_its_cell():
    # '  11月28日 周六  x' from cell 1: Rich gives it one element, a cell per character.
    text = "&#160;&#160;11月28日&#160;周六&#160;&#160;x"
    svg = "<svg>" + _text(12.2, 12.2 * 14, text) + "</svg>"  # 14 characters
    assert _placed(cell_lengths(svg)) == [
        ("36.6", "24.4", "11"),  # the spaces it started with dropped: it starts on its own cell
        ("61", None, "月"),
        ("85.4", "24.4", "28"),
        ("109.8", None, "日"),
        ("146.4", None, "周"),
        ("170.8", None, "六"),
        ("219.6", "12.2", "x"),
    ]


def test_a_run_of_narrow_characters_keeps_its_spaces_inside_and_its_length():
    svg = _text(0, 12.2 * 14, "&#160;Book&#160;a&#160;demo&#160;&#160;")
    assert _placed(cell_lengths(svg)) == [("12.2", "134.2", "Book&#160;a&#160;demo")]
    assert cell_lengths("<svg><rect x='1'/></svg>") == "<svg><rect x='1'/></svg>"
    assert cell_lengths(_text(0, 0, "")) == _text(0, 0, "")
