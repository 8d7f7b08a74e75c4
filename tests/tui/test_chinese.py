"""The app in Chinese: every screen on the small demo at 120x40 (two at 80x24), its keys,
its palette, and columns that line up with characters two cells wide."""

import shutil
import sqlite3

import pytest
from rich.cells import cell_len
from textual.widgets import HelpPanel
from textual.widgets._key_panel import BindingsTable

from salesdesk import i18n
from salesdesk.demo import write_demo
from salesdesk.store.store import Store
from salesdesk.tui import faults, palette
from salesdesk.tui.screens.base import AGAIN
from salesdesk.tui.text import centred, padded
from salesdesk.tui.widgets.agenda import column_widths
from salesdesk.tui.widgets.key_bar import KeyBar
from tests.conftest import START, FakeClock
from tests.tui.conftest import SIZE, make_app, no_blink, settle

SMALL = (80, 24)


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    """The small demo, built once; each test opens a copy of its own."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    write_demo(path, "small", START, "ann")
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


def _snapshot(snap_compare, store, *keys, size=SIZE):
    async def run_before(pilot):
        for _ in range(2):
            await settle(pilot)
            await pilot.app.workers.wait_for_complete()
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
            await pilot.app.workers.wait_for_complete()
        await settle(pilot)
        no_blink(pilot.app)
        await settle(pilot)

    return snap_compare(chinese_app(store), terminal_size=size, run_before=run_before)


class TestChinese:
    def test_today(self, snap_compare, demo):
        assert _snapshot(snap_compare, demo)

    def test_triage(self, snap_compare, demo):
        assert _snapshot(snap_compare, demo, "t", "space")

    def test_triage_summary(self, snap_compare, demo):
        assert _snapshot(snap_compare, demo, "t", "space", "space", "escape")

    def test_pipeline(self, snap_compare, demo):
        assert _snapshot(snap_compare, demo, "2", "down")

    def test_pipeline_with_lost(self, snap_compare, demo):
        assert _snapshot(snap_compare, demo, "2", "L", "right", "right", "right", "right", "right", "right")

    def test_customers(self, snap_compare, demo):
        assert _snapshot(snap_compare, demo, "3", "down", "down")

    def test_reports(self, snap_compare, demo):
        assert _snapshot(snap_compare, demo, "4")

    def test_keys_panel(self, snap_compare, demo):
        assert _snapshot(snap_compare, demo, "question_mark")

    def test_changed_elsewhere_dialog(self, snap_compare, demo):
        from salesdesk.tui.screens.stale import Difference, StaleScreen

        rows = [
            Difference("金额", "65000.00", "70000.00", changed_by_me=True, private=True),
            Difference("下一步", "", "Send the contract", changed_by_me=False),
        ]

        async def run_before(pilot):
            await settle(pilot)
            await pilot.app.workers.wait_for_complete()
            pilot.app.push_screen(StaleScreen("50台笔记本电脑（深圳）", rows))
            await settle(pilot)

        assert snap_compare(chinese_app(demo), terminal_size=SIZE, run_before=run_before)

    def test_today_at_80x24(self, snap_compare, demo):
        assert _snapshot(snap_compare, demo, size=SMALL)

    def test_customers_at_80x24(self, snap_compare, demo):
        assert _snapshot(snap_compare, demo, "3", size=SMALL)


def screen_text(app) -> str:
    """What the terminal shows, as text."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def test_the_keys_are_described_in_the_language_the_app_starts_in(demo):
    # The screens' modules were imported (in English) long before: the descriptions
    # follow the language of the running app, not that of the import.
    app = chinese_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await app.workers.wait_for_complete()
        await settle(pilot)
        bar = str(app.screen.query_one(KeyBar).render())
        assert "d 完成" in bar and "t 分拣" in bar and "命令面板" in bar
        assert "Done" not in bar
        await pilot.press("question_mark")
        await settle(pilot)
        panel = app.screen.query_one(HelpPanel).query_one(BindingsTable)
        table = panel.render_bindings_table()
        described = "\n".join(str(cell) for cell in table.columns[1]._cells)
        assert "推迟" in described and "改期" in described and "退出" in described
        text = screen_text(app)
        assert "2026年11月27日 周五" in text
        assert "已逾期" in text and "未来7天" in text
    i18n.set_language("en")
    english = make_app(demo)
    async with english.run_test(size=SIZE) as pilot:
        await settle(pilot)
        bar = str(english.screen.query_one(KeyBar).render())
        assert "d Done" in bar and "palette" in bar


async def test_the_screens_speak_chinese(demo):
    app = chinese_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await app.workers.wait_for_complete()
        await pilot.press("2")
        await settle(pilot)
        text = screen_text(app)
        assert "所有人的商机" in text and "个商机" in text and "加权" in text
        await pilot.press("3")
        await settle(pilot)
        text = screen_text(app)
        assert "位客户" in text and "按姓名排序" in text and "历史记录（最新在前）" in text
        assert "分组" in text and "联系" in text
        await pilot.press("4")
        await settle(pilot)
        await app.workers.wait_for_complete()
        await settle(pilot)
        text = screen_text(app)
        # The money collected comes before the funnel, which is further down (scrolled to).
        assert "最近90天：" in text and "赢单、输单与客户" in text and "回款：本期 · 上期" in text
        await pilot.press("asterisk")
        await settle(pilot)
        assert any("隐私模式已开启" in str(n.message) for n in app._notifications)


async def test_a_segment_is_named_as_a_segment_not_as_the_field_of_the_same_english_word(demo):
    from salesdesk.tui.widgets.customer_list import segment_name

    i18n.set_language("zh")
    assert segment_name("repeat") == "复购"
    assert i18n._("repeat") == "重复"  # the field that says how a follow-up repeats
    assert segment_name("something new") == "something new"


async def test_the_palette_names_every_command_in_chinese(demo):
    from textual.command import CommandInput, CommandPalette

    app = chinese_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        found = {command.name: command.help for command in palette.commands(app)}
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        assert app.screen.query_one(CommandInput).placeholder == "搜索命令…"
    assert found["前往客户"] == "按键 3"
    assert found["客户：搜索客户"] == "客户页按 /"
    assert found["导出本周总结"] == "报表页按 x"
    assert found["将客户导出为 vCard"] == "无按键：仅命令面板"
    assert not [name for name in found if name.isascii()], "a command left in English"


def test_a_fault_is_said_in_chinese_with_how_to_try_again():
    i18n.set_language("zh")
    busy = faults.sentence(sqlite3.OperationalError("database is locked"), "/data/crm.db", AGAIN)
    assert busy.startswith("未保存：另一个程序") and "再按一次该键" in busy
    full = faults.sentence(sqlite3.OperationalError("database or disk is full"), "/data/crm.db", AGAIN)
    assert "/data/crm.db 所在的磁盘已满" in full and "再按一次该键" in full


def test_text_is_centred_and_padded_by_terminal_cells():
    assert centred("↓ 还有 7 项", 20) == "    ↓ 还有 7 项     "
    assert cell_len(centred("↓ 还有 7 项", 20)) == 20
    for text in ("↓ 7 more", "↓ 12 more", "x"):
        for width in (9, 10, 21):
            assert centred(text, width) == text.center(width)
            assert centred(text, width, "─") == text.center(width, "─")
    assert padded("姓名", 6) == "姓名  " and padded("联系", 9, right=True) == "     联系"
    assert padded("Name", 6) == f"{'Name':<6}"


def test_the_when_column_fits_a_late_date_in_either_language():
    assert column_widths(120)[0] == 21  # English: "Wed 25 Nov, 999d late"
    i18n.set_language("zh")
    assert column_widths(120)[0] == cell_len("11月25日 周三，逾期999天")
