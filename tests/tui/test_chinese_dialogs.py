"""The app's dialogs and forms in Chinese: each one on the small demo (made under Chinese,
so its pipeline is 线索, 需求确认 ...) as a snapshot at 120x40 and, at 80x24, checked that
nothing on it is cut off; every Chinese relative date typed into the follow-up, snooze and
reschedule forms, saved as the day it names; the language chosen in the settings."""

import shutil
from collections.abc import Awaitable, Callable
from datetime import date

import pytest
from rich.cells import cell_len
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static

from salesdesk import i18n
from salesdesk.cli.common import prefer_language
from salesdesk.demo import write_demo
from salesdesk.store.store import Store
from salesdesk.tui.screens.base import DialogScreen
from salesdesk.tui.screens.dialogs import FollowUpScreen
from salesdesk.tui.screens.today_dialogs import DateScreen, SettingsScreen, SnoozeScreen
from salesdesk.tui.widgets.key_bar import KeyBar
from tests.conftest import START, FakeClock
from tests.tui.conftest import SIZE, make_app, no_blink, seed_pipeline, settle
from tests.tui.test_privacy import other_window

SMALL = (80, 24)

Opener = Callable[[Pilot, Store], Awaitable[None]]


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    """The small demo as `salesdesk demo` makes it under Chinese, built once."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    i18n.set_language("zh")
    try:
        write_demo(path, "small", START, "ann")
    finally:
        i18n.set_language("en")
    return path


@pytest.fixture
def demo(demo_file, tmp_path):
    copy = tmp_path / "demo.db"
    shutil.copy(demo_file, copy)
    store = Store.open(copy, "ann", FakeClock())
    yield store
    store.close()


def chinese_app(store: Store):
    """The app as `salesdesk --lang zh` starts it: the language chosen, then the app made."""
    i18n.set_language("zh")
    return make_app(store)


async def ready(pilot: Pilot) -> None:
    await settle(pilot)
    await pilot.app.workers.wait_for_complete()
    await settle(pilot)


def keys(*pressed: str) -> Callable[[Pilot], Awaitable[None]]:
    async def press(pilot: Pilot) -> None:
        for key in pressed:
            await pilot.press(key)
            await ready(pilot)

    return press


def _a_deal(store: Store, stage: str, *, with_followups: bool = False) -> str:
    """One of ann's deals in `stage` (with open follow-ups if asked), the same on every run."""
    having = ">" if with_followups else ">="
    return store.db.execute(
        "SELECT id FROM deals d WHERE stage_id = ? AND owner = 'ann' AND deleted_at IS NULL AND "
        "(SELECT count(*) FROM followups f WHERE f.deal_id = d.id AND f.done_at IS NULL "
        f"AND f.deleted_at IS NULL) {having} 0 ORDER BY title, id LIMIT 1",
        [stage],
    ).fetchone()[0]


def _a_customer(store: Store) -> str:
    """A customer with a phone and an email, the first by name."""
    return store.db.execute(
        "SELECT id FROM customers WHERE deleted_at IS NULL AND phone != '' AND email != '' "
        "ORDER BY name, id LIMIT 1"
    ).fetchone()[0]


def today(*pressed: str) -> Opener:
    async def run(pilot: Pilot, store: Store) -> None:
        # On a follow-up: the first rows may be money to collect, whose d, r differ.
        agenda_list = pilot.app.screen.agenda_list
        assert agenda_list.select(next(i.key for i in agenda_list.items if i.is_followup))
        await ready(pilot)
        await keys(*pressed)(pilot)

    return run


def deal(stage: str, *pressed: str, with_followups: bool = False) -> Opener:
    async def run(pilot: Pilot, store: Store) -> None:
        await keys("2")(pilot)
        assert pilot.app.screen.board.focus_deal(_a_deal(store, stage, with_followups=with_followups))
        await ready(pilot)
        await keys(*pressed)(pilot)

    return run


def customer(*pressed: str) -> Opener:
    async def run(pilot: Pilot, store: Store) -> None:
        await keys("3")(pilot)
        pilot.app.screen.show_customer(_a_customer(store))
        await ready(pilot)
        await keys(*pressed)(pilot)

    return run


async def _changed_elsewhere(pilot: Pilot, store: Store) -> None:
    """The deal dialog, its next step typed over while another window saves another one (its
    amount is its lines' sum)."""
    deal_id = _a_deal(store, "stage-quote")
    await deal("stage-quote", "enter")(pilot, store)
    other = other_window(store)
    try:
        other.update_deal(deal_id, {"next_step": "周三前把报价单发给采购部"})
    finally:
        other.close()
    pilot.app.screen.query_one("#next_step-input").value = "约王总下周一面谈"
    await keys("ctrl+s")(pilot)


async def _duplicate(pilot: Pilot, store: Store) -> None:
    name, company = store.db.execute(
        "SELECT name, company FROM customers WHERE id = ?", [_a_customer(store)]
    ).fetchone()
    await customer("a")(pilot, store)
    await keys(*name, "tab", *company, "ctrl+s")(pilot)


async def _greeting(pilot: Pilot, store: Store) -> None:
    """Enter on a holiday: New Year's Day is in the agenda once greetings start 40 days ahead."""
    from salesdesk.core.agenda import HOLIDAY

    store.set_setting("holiday_days_ahead", 40)
    pilot.app.screen.reload()
    await ready(pilot)
    agenda_list = pilot.app.screen.agenda_list
    holiday = next(item for item in agenda_list.items if item.kind == HOLIDAY)
    assert agenda_list.select(holiday.key)
    await ready(pilot)
    await keys("enter")(pilot)


DIALOGS: dict[str, Opener] = {
    # Today
    "today-log": today("l"),
    "today-done-log": today("d"),
    "today-book-next": today("d", "enter"),
    "today-snooze": today("s"),
    "today-snooze-date": today("s", "t"),
    "today-reschedule": today("r"),
    "today-settings": today("comma"),
    "discard-changes": today("l", "x", "escape"),
    "holiday-greeting": _greeting,
    # Pipeline
    "deal-dialog": deal("stage-quote", "enter"),
    "new-deal": deal("stage-quote", "n"),
    "lost-reason": deal("stage-quote", "x"),
    "checklist": deal("stage-lead", "right_square_bracket"),
    "deal-follow-up": deal("stage-quote", "f"),
    "deal-assign": deal("stage-quote", "O"),
    "close-follow-ups": deal("stage-quote", "w", "escape", with_followups=True),
    "contract": deal("stage-quote", "w"),
    "receipt": deal("stage-quote", "w", "ctrl+s", "escape", "dollar_sign", with_followups=True),
    "changed-elsewhere": _changed_elsewhere,
    # Customers
    "customer-form": customer("e"),
    "new-customer": customer("a"),
    "duplicate": _duplicate,
    "customer-log": customer("i"),
    "customer-tags": customer("t"),
    "customer-follow-up": customer("f"),
    "customer-filter": customer("F"),
    "customer-copy": customer("c"),
    "customer-assign": customer("O"),
    "customer-delete": customer("d"),
    "customer-new-deal": customer("n"),
}


async def _open(pilot: Pilot, store: Store, name: str) -> DialogScreen:
    await ready(pilot)
    await DIALOGS[name](pilot, store)
    await ready(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, DialogScreen), f"{name}: no dialog open but {screen!r}"
    return screen


class TestChineseDialogs:
    @pytest.mark.parametrize("name", DIALOGS)
    def test_dialog(self, snap_compare, demo, name):
        async def run_before(pilot):
            await _open(pilot, demo, name)
            no_blink(pilot.app)
            await settle(pilot)

        assert snap_compare(chinese_app(demo), terminal_size=SIZE, run_before=run_before)


# -- nothing cut at 80x24 ---------------------------------------------------------------


def _shown(widget: Widget) -> bool:
    return all(node.display for node in widget.ancestors_with_self if isinstance(node, Widget))


def _text(widget: Widget) -> str:
    rendered = widget.render()
    return str(getattr(rendered, "plain", rendered))


def cut_off(screen: DialogScreen, size: tuple[int, int]) -> list[str]:
    """What of a dialog is not shown whole: a line of the terminal not `size` cells wide (a
    character split in two), the dialog past the edge, or a label, a title, a placeholder or
    a choice wider than the room it has (cut, or ended with an ellipsis)."""
    found = []
    width = size[0]
    for number, strip in enumerate(screen._compositor.render_strips()):
        if cell_len(strip.text) != width:
            found.append(f"line {number} is {cell_len(strip.text)} cells wide: {strip.text!r}")
    dialog = screen.query_one(".dialog")
    if not Region(0, 0, *size).contains_region(dialog.region):
        found.append(f"the dialog {dialog.region} is past the edge of the terminal")
    for widget in screen.query("*"):
        if not _shown(widget) or widget.content_region.width <= 0:
            continue
        room = widget.content_region.width
        if isinstance(widget, Label) or (isinstance(widget, Static) and widget.styles.text_wrap == "nowrap"):
            text = _text(widget)
            if max(map(cell_len, text.split("\n"))) > room:
                found.append(f"{widget!r} is {cell_len(text)} cells in {room}: {text!r}")
        elif (
            isinstance(widget, Input)
            and not widget.value
            and widget.placeholder
            and cell_len(widget.placeholder) > room
        ):
            found.append(f"{widget!r}'s placeholder needs {cell_len(widget.placeholder)} of {room}")
    return found


@pytest.mark.parametrize("name", DIALOGS)
async def test_nothing_is_cut_off_at_80x24(demo, name):
    app = chinese_app(demo)
    async with app.run_test(size=SMALL) as pilot:
        screen = await _open(pilot, demo, name)
        assert cut_off(screen, SMALL) == []
        for field in [w for w in screen.query("*") if w.focusable and _shown(w)]:
            field.focus()  # each field scrolled into view: what is below the fold too
            await settle(pilot)
            assert cut_off(screen, SMALL) == [], f"{name}, on {field!r}"


async def test_the_check_finds_a_label_too_wide_for_its_field(demo):
    app = chinese_app(demo)
    async with app.run_test(size=SMALL) as pilot:
        screen = await _open(pilot, demo, "new-customer")
        assert cut_off(screen, SMALL) == []
        screen.query_one("#company .form-label", Label).update("公司" * 40)
        screen.query_one("#phone-input", Input).placeholder = "电话号码" * 20
        await settle(pilot)
        problems = cut_off(screen, SMALL)
        assert any("公司公司" in problem for problem in problems)
        assert any("placeholder" in problem for problem in problems)


async def test_the_dialogs_speak_chinese(demo):
    app = chinese_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, demo, "customer-log")
        text = screen_text(screen)
        assert "记录与" in text and "的互动" in text and "下一步（可选）" in text
        assert "ctrl+s：保存" in text and "电话" in text  # the kind, by its Chinese name
        await keys("escape", "F")(pilot)
        text = screen_text(app.screen)
        assert "筛选和排序客户" in text and "不限" in text and "姓名" in text
        await keys("escape", "2")(pilot)
        assert app.screen.board.focus_deal(_a_deal(demo, "stage-lead"))
        await keys("right_square_bracket")(pilot)
        text = screen_text(app.screen)
        assert "离开线索" in text and "勾选已完成的项" in text and "仍移到需求确认" in text


async def test_the_contract_and_receipt_dialogs_speak_chinese(demo):
    app = chinese_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, demo, "contract")
        text = screen_text(screen)
        assert "新建合同" in text and "回款计划" in text and "尚无回款计划" in text
        box = screen.query_one("#contract-pattern-input")
        box.value = "30%签约时，70% 60天后"
        box.focus()
        await keys("enter")(pilot)
        assert "各期合计等于合同额" in screen_text(app.screen)
        await keys("ctrl+s")(pilot)
        await keys("escape", "dollar_sign")(pilot)  # its follow-ups kept; then money received
        text = screen_text(app.screen)
        assert "登记回款" in text and "付款方式" in text and "最早未结的一期" in text


def screen_text(screen) -> str:
    return "\n".join(strip.text for strip in screen._compositor.render_strips())


async def test_a_dialogs_keys_are_described_in_chinese(demo):
    app = chinese_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, demo, "customer-copy")
        described = {binding.description for _key, binding in screen._bindings}
        assert {"电话", "邮箱", "取消"} <= described


# -- Chinese relative dates in the forms, against the tests' fixed today ---------------

# Friday 27 November 2026: what each Chinese form names, worked out by hand.
CHINESE_DAYS = {
    "今天": "2026-11-27",
    "明天": "2026-11-28",
    "后天": "2026-11-29",
    "周五": "2026-12-04",  # the next Friday after today, as `fri`
    "下周一": "2026-11-30",  # Monday of next week, as `next mon`
    "这周五": "2026-11-27",  # the Friday of this week: today
    "3天": "2026-11-30",
    "2周": "2026-12-11",
    "两周": "2026-12-11",
    "1个月": "2026-12-27",
    "月底": "2026-11-30",
}


@pytest.fixture
def pipeline(tmp_path):
    clock = FakeClock()
    store = Store.open(tmp_path / "pipeline.db", "ann", clock)
    ids = seed_pipeline(store, clock)
    yield store, ids
    store.close()


def _due_of(store: Store, title: str) -> str:
    return store.db.execute(
        "SELECT due_date FROM followups WHERE title = ? AND deleted_at IS NULL", [title]
    ).fetchone()[0]


async def _type(pilot: Pilot, text: str) -> None:
    for character in text:
        await pilot.press(character)
    await settle(pilot)


@pytest.mark.parametrize("typed", CHINESE_DAYS)
async def test_a_chinese_day_typed_into_the_follow_up_form(pipeline, typed):
    store, ids = pipeline
    app = chinese_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await keys("2")(pilot)
        assert app.screen.board.focus_deal(ids["Classroom displays"])
        await keys("f")(pilot)
        form = app.screen
        assert isinstance(form, FollowUpScreen)
        assert form.query_one("#due-input", Input).value == "明天"  # selected: typing replaces it
        await _type(pilot, typed)
        day = date.fromisoformat(CHINESE_DAYS[typed])
        assert str(form.query_one("#due-hint").render()) == i18n.long_date(day)
        form.query_one("#title-input", Input).value = f"回访 {typed}"
        await keys("enter")(pilot)
        assert not isinstance(app.screen, FollowUpScreen)
    assert _due_of(store, f"回访 {typed}") == CHINESE_DAYS[typed]


@pytest.mark.parametrize("typed", CHINESE_DAYS)
async def test_a_chinese_day_typed_into_snooze(pipeline, typed):
    store, _ids = pipeline
    app = chinese_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await _select(pilot, "Call Wang Wei")
        await keys("s", "t")(pilot)
        assert isinstance(app.screen, SnoozeScreen)
        await _type(pilot, typed)
        await keys("enter")(pilot)
        assert not isinstance(app.screen, SnoozeScreen)
    assert _due_of(store, "Call Wang Wei") == CHINESE_DAYS[typed]


@pytest.mark.parametrize("typed", CHINESE_DAYS)
async def test_a_chinese_day_typed_into_reschedule(pipeline, typed):
    store, _ids = pipeline
    app = chinese_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await _select(pilot, "Call Chen Jing")
        await keys("r")(pilot)
        assert isinstance(app.screen, DateScreen)
        await _type(pilot, typed)
        await keys("enter")(pilot)
        assert not isinstance(app.screen, DateScreen)
    assert _due_of(store, "Call Chen Jing") == CHINESE_DAYS[typed]


async def test_a_day_in_the_past_is_refused_in_chinese(pipeline):
    store, _ids = pipeline
    app = chinese_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await _select(pilot, "Call Chen Jing")
        await keys("r")(pilot)
        await _type(pilot, "昨天")
        await keys("enter")(pilot)
        assert isinstance(app.screen, DateScreen)  # still open, with what was typed
        hint = str(app.screen.query_one("#when-hint").render())
        assert hint == "2026年11月26日 周四已经过去；请选今天或以后的日期。"
    assert _due_of(store, "Call Chen Jing") == "2026-11-28"


async def _select(pilot: Pilot, what: str) -> None:
    agenda_list = pilot.app.screen.agenda_list
    found = next(item for item in agenda_list.items if item.what == what)
    assert agenda_list.select(found.key)
    await settle(pilot)


# -- the language of this copy, chosen in the settings ----------------------------------


async def _choose_language(pilot: Pilot, value: str) -> SettingsScreen:
    await keys("comma")(pilot)
    settings = pilot.app.screen
    assert isinstance(settings, SettingsScreen)
    settings.query_one("#language", Select).value = value
    await settle(pilot)
    return settings


async def test_the_language_chosen_in_the_settings_is_kept_and_read_at_the_next_start(pipeline):
    store, _ids = pipeline
    app = make_app(store)  # English, as the environment of the tests is
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        settings = await _choose_language(pilot, "zh")
        hint = str(settings.query_one("#language-hint").render())
        # Said in the language shown and in the one chosen.
        assert hint == "It takes effect when salesdesk starts again. 下次启动 salesdesk 时生效。"
        settings.query_one("#dormant_days-input", Input).focus()
        await keys("enter")(pilot)
        assert not isinstance(app.screen, SettingsScreen)
        assert any("Language: 中文." in str(note.message) for note in app._notifications)
        assert i18n.language() == "en"  # this run stays in English
    assert store.meta("language") == "zh"

    # The next start, in an English environment: the copy's choice wins.
    i18n.set_language(i18n.from_environment({"LANG": "en_US.UTF-8"}))
    prefer_language(store)
    assert i18n.language() == "zh"
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert "命令面板" in str(app.screen.query_one(KeyBar).render())
        settings = await _choose_language(pilot, "")  # follow the system again
        assert settings.query_one("#language", Select).value == ""
        settings.query_one("#dormant_days-input", Input).focus()
        await keys("enter")(pilot)
        assert not isinstance(app.screen, SettingsScreen)
    assert store.meta("language") == ""
    i18n.set_language(i18n.from_environment({"LANG": "en_US.UTF-8"}))
    prefer_language(store)
    assert i18n.language() == "en"


async def test_the_settings_open_on_the_language_kept(pipeline):
    store, _ids = pipeline
    store.set_meta("language", "zh")
    app = chinese_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await keys("comma")(pilot)
        assert app.screen.query_one("#language", Select).value == "zh"
        await keys("escape")(pilot)  # nothing changed: closes at once, nothing written
        assert not isinstance(app.screen, SettingsScreen)
    assert store.meta("language") == "zh"


async def test_a_language_the_database_cannot_take_leaves_the_settings_open(pipeline):
    import sqlite3

    store, _ids = pipeline
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        settings = await _choose_language(pilot, "zh")
        other = sqlite3.connect(store.path)
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        try:
            settings.query_one("#dormant_days-input", Input).focus()
            await keys("enter")(pilot)
            assert app.screen is settings  # open, as chosen, for enter again
            assert settings.query_one("#language", Select).value == "zh"
            assert any("Nothing was saved" in str(note.message) for note in app._notifications)
        finally:
            other.rollback()
            other.close()
        await keys("enter")(pilot)
        assert not isinstance(app.screen, SettingsScreen)
    assert store.meta("language") == "zh"
