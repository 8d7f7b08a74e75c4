"""Names from the database are shown as typed: never markup, never terminal control."""

from salesdesk.core.text import literal
from salesdesk.tui.text import literal_text
from tests.tui.conftest import SIZE, make_app, settle


def test_control_characters_become_visible_pictures():
    assert literal("a\x1b[31mb\x07\tc\x7f\x9b") == "a␛[31mb␇␉c␡\ufffd"


def test_markup_is_not_parsed():
    assert literal_text("[red]x[/]").plain == "[red]x[/]"
    assert literal_text("[red]x[/]").spans == []


async def test_board_shows_markup_and_escapes_as_typed(seeded):
    store, _, _ = seeded
    customer = store.add_customer("\x1b[31m[b]Co[/b]")
    deal_id = store.add_deal(customer, "[red]x[/]", 100_00)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")  # the app opens on Today
        await settle(pilot)
        board = app.screen.board
        board.focus_deal(deal_id)
        await settle(pilot)
        column = board.focused_column
        rendered = column.render().plain
        assert "[red]x[/]" in rendered
        assert "␛[31m[b]Co[/b]" in rendered
        assert "\x1b" not in rendered
        # What reaches the terminal holds no escape from the data either.
        screenshot = app.export_screenshot()
        assert "[red]x[/]" in screenshot and "[b]Co[/b]" in screenshot
