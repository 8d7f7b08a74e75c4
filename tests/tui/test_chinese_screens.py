"""Every screen in Chinese on the demo a Chinese user makes (`salesdesk demo --lang zh`):
snapshots at 120x40, and at 80x24 a check that no line is cut through a character two
cells wide and that the key bar holds every key.

The demo is built under Chinese, so its pipeline is 线索, 需求确认, 报价 ...; the Trash
holds a customer, a deal and a follow-up deleted by two people, and Conflicts the
fields both of them edited before syncing.
"""

import shutil
from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest
from rich.cells import cell_len, get_character_cell_size
from rich.segment import Segment
from textual.pilot import Pilot

from salesdesk import i18n
from salesdesk.demo import write_demo
from salesdesk.store.store import Store
from salesdesk.sync.merge import merge_database
from tests.conftest import START, FakeClock
from tests.tui.conftest import SIZE, make_app, no_blink, settle

SMALL = (80, 24)


@pytest.fixture(scope="module")
def chinese_demo_file(tmp_path_factory):
    """The small demo as `salesdesk demo --lang zh` builds it, once for the module."""
    path = tmp_path_factory.mktemp("demo-zh") / "demo.db"
    i18n.set_language("zh")
    try:
        write_demo(path, "small", START, "ann")
    finally:
        i18n.set_language("en")
    return path


def _first(store: Store, sql: str) -> str:
    return store.db.execute(sql).fetchone()[0]


def make_trouble(folder, demo_path) -> Store:
    """Ann's copy of the demo after Bob and she edited the same fields and deleted things.

    Bob joined with a copy of Ann's (a merge into his empty database); then, before
    syncing again, both changed one customer's company and one deal's amount and next
    step, and each deleted something; Ann merged Bob's copy: her later edits win, his
    values are the conflicts, and the Trash holds what either deleted.
    """
    ann_path = folder / "ann.db"
    shutil.copy(demo_path, ann_path)
    ann_clock, bob_clock = FakeClock(), FakeClock(START - timedelta(hours=2))
    ann = Store.open(ann_path, "ann", ann_clock)
    bob = Store.open(folder / "bob.db", "bob", bob_clock)
    try:
        snapshot = folder / "ann-snapshot.db"
        ann.db.execute("VACUUM INTO ?", [str(snapshot)])
        merge_database(bob, snapshot)
        customer = _first(
            ann, "SELECT id FROM customers WHERE company LIKE '%有限公司' ORDER BY name LIMIT 1"
        )
        deal = _first(
            ann,
            "SELECT id FROM deals WHERE deleted_at IS NULL AND closed_on IS NULL "
            # a typed amount: a deal with lines has their sum
            "AND id NOT IN (SELECT deal_id FROM deal_lines WHERE deleted_at IS NULL) ORDER BY title LIMIT 1",
        )
        gone_customer = _first(
            ann,
            "SELECT id FROM customers WHERE id NOT IN (SELECT customer_id FROM deals) ORDER BY name LIMIT 1",
        )
        gone_deal = _first(ann, f"SELECT id FROM deals WHERE id != '{deal}' ORDER BY title DESC LIMIT 1")
        gone_followup = _first(
            ann,
            "SELECT id FROM followups WHERE deleted_at IS NULL AND done_at IS NULL ORDER BY title LIMIT 1",
        )
        bob.update_customer(customer, {"company": "华信科技（深圳）有限公司"})
        bob.update_deal(deal, {"amount": 88_000_00, "next_step": "周五前把合同发给采购部"})
        bob.delete_deal(gone_deal)
        bob.records.delete("followups", gone_followup)
        ann_clock.advance(hours=1)
        ann.update_customer(customer, {"company": "华信科技集团"})
        ann.update_deal(deal, {"amount": 90_000_00, "next_step": "约王总下周一面谈"})
        ann.delete_customer(gone_customer)
        bob_snapshot = folder / "bob-snapshot.db"
        bob.db.execute("VACUUM INTO ?", [str(bob_snapshot)])
        report = merge_database(ann, bob_snapshot)
        assert report.conflicts == 3
        # Found in one merge, at one time: apart by a minute each, so they list in one order.
        ann.db.execute(
            "UPDATE conflicts SET detected_at = CASE field WHEN 'amount' THEN '2026-11-27T09:32:00.000Z' "
            "WHEN 'next_step' THEN '2026-11-27T09:31:00.000Z' ELSE '2026-11-27T09:30:00.000Z' END"
        )
    finally:
        bob.close()
    return ann


@pytest.fixture
def trouble(chinese_demo_file, tmp_path):
    store = make_trouble(tmp_path, chinese_demo_file)
    yield store
    store.close()


Steps = Callable[[Pilot], Awaitable[None]]


def keys(*pressed: str) -> Steps:
    async def press(pilot: Pilot) -> None:
        for key in pressed:
            await pilot.press(key)
            await settle(pilot)
            await pilot.app.workers.wait_for_complete()
            await settle(pilot)

    return press


async def _stale(pilot: Pilot) -> None:
    from salesdesk.tui.screens.stale import Difference, StaleScreen

    rows = [
        Difference("金额", "90000.00", "88000.00", changed_by_me=True, private=True),
        Difference("下一步", "约王总下周一面谈", "周五前把合同发给采购部", changed_by_me=False),
    ]
    pilot.app.push_screen(StaleScreen("华信科技 ERP 二期", rows))
    await settle(pilot)


# Every screen, as the keys that reach it from Today.
SCREENS: dict[str, Steps] = {
    "today": keys(),
    "pipeline": keys("2", "down"),
    "customers": keys("3", "down", "down"),
    "reports": keys("4"),
    "reports-30-days": keys("4", "p"),
    "reports-365-days": keys("4", "p", "p"),
    "reports-this-week": keys("4", "p", "p", "p"),
    "reports-last-week": keys("4", "p", "p", "p", "p"),
    "reports-this-quarter": keys("4", "p", "p", "p", "p", "p"),
    "reports-last-quarter": keys("4", "p", "p", "p", "p", "p", "p"),
    "reports-earlier": keys("4", "left_square_bracket"),
    "reports-everyone": keys("4", "m"),
    "conflicts": keys("5"),
    "trash": keys("6"),
    "stale": _stale,
    "keys": keys("question_mark"),
    "palette": keys("ctrl+p"),
}


async def _reach(pilot: Pilot, steps: Steps) -> None:
    for _ in range(2):
        await settle(pilot)
        await pilot.app.workers.wait_for_complete()
    await steps(pilot)
    pilot.app.clear_notifications()
    await settle(pilot)
    no_blink(pilot.app)
    await settle(pilot)


def chinese_app(store: Store):
    """The app as `salesdesk --lang zh` starts it: the language chosen, then the app made."""
    i18n.set_language("zh")
    return make_app(store)


@pytest.mark.parametrize("name", SCREENS)
def test_every_screen_in_chinese(snap_compare, trouble, name):
    async def run_before(pilot):
        await _reach(pilot, SCREENS[name])

    assert snap_compare(chinese_app(trouble), terminal_size=SIZE, run_before=run_before)


def _inside_a_wide_character(text: str, cut: int) -> bool:
    position = 0
    for character in text:
        width = get_character_cell_size(character)
        if position < cut < position + width:
            return True
        position += width
        if position >= cut:
            return False
    return False


@pytest.fixture
def cuts(monkeypatch):
    """Every place a line of text was cut through a character two cells wide while the
    screens were drawn: where a strip is cropped to its widget (Rich's Segment split)
    or cut to a length (Textual's Strip.adjust_cell_length). A cut there has Rich put a
    space for the half character: the character is lost from the screen. (A truncation
    with an ellipsis, which cuts between characters, is not a cut here.)"""
    import textual.strip

    found: list[tuple[str, int]] = []
    split = Segment._split_cells
    set_size = textual.strip.set_cell_size

    def split_cells(cls, segment: Segment, cut: int):
        if _inside_a_wide_character(segment.text, cut):
            found.append((segment.text, cut))
        return split(segment, cut)

    def set_cell_size(text: str, total: int, *rest):
        if _inside_a_wide_character(text, total):
            found.append((text, total))
        return set_size(text, total, *rest)

    monkeypatch.setattr(Segment, "_split_cells", classmethod(split_cells))
    monkeypatch.setattr(textual.strip, "set_cell_size", set_cell_size)
    return found


# At 80 columns these screens' keys all fit on the key bar in Chinese; Today, the
# Pipeline and Customers have more keys than 80 columns hold (as in English): the bar
# ends in an ellipsis there, and ? lists them all.
EVERY_KEY_SHOWN = {"reports", "conflicts", "trash"}


@pytest.mark.parametrize("name", SCREENS)
async def test_at_80x24_nothing_is_cut_through_a_character_and_the_key_bar_fits(trouble, cuts, name):
    from salesdesk.tui.widgets.key_bar import KeyBar

    app = chinese_app(trouble)
    async with app.run_test(size=SMALL) as pilot:
        await _reach(pilot, SCREENS[name])
        lines = [strip.text for strip in app.screen._compositor.render_strips()]
        assert not cuts, f"cut through a character on {name}: {cuts[:3]}"
        assert all(cell_len(line) == SMALL[0] for line in lines)
        bars = [bar for screen in app.screen_stack for bar in screen.query(KeyBar) if bar.display]
        for bar in bars:
            drawn = str(bar.render())
            assert cell_len(drawn) == bar.size.width
            assert drawn.endswith("▏^p 命令面板 ")  # the palette, whole, at the right
            keys, _palette = bar._shown()
            words = [f"{app.get_key_display(binding)} {binding.description}" for binding, _ in keys]
            left = drawn[: drawn.rindex("▏")].rstrip()
            shown = [word for word in words if word in left]
            assert left.endswith(" ".join(shown)) or left.endswith("…")
            assert shown == words[: len(shown)] and shown, "a key missing before the cut"
            if name in EVERY_KEY_SHOWN and bar.screen is app.screen:
                assert shown == words


def screen_text(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def test_conflicts_speak_chinese_and_say_what_was_kept_and_restored(trouble):
    app = chinese_app(trouble)
    async with app.run_test(size=SIZE) as pilot:
        await _reach(pilot, keys("5"))
        text = screen_text(app)
        assert "3 个未处理的冲突" in text and "k 保留现值" in text and "t 回收站" in text
        for word in (
            "类别",
            "记录",
            "字段",
            "保留的值",
            "被覆盖的值",
            "发现时间",
            "商机",
            "客户",
            "金额",
            "下一步",
        ):
            assert word in text, word
        assert "amount" not in text and "customers" not in text
        await pilot.press("r")  # the first: the amount Bob typed
        await settle(pilot)
        assert [n.message for n in app._notifications] == ["已恢复金额：8800000。"]
        await pilot.press("k")
        await settle(pilot)
        assert "已保留下一步：约王总下周一面谈。" in [n.message for n in app._notifications]
        assert "1 个未处理的冲突" in screen_text(app)


async def test_a_conflict_of_a_records_life_in_chinese(tmp_path):
    from tests.sync.conftest import Device

    ann, bob = Device(tmp_path, "ann"), Device(tmp_path, "bob", timedelta(hours=-2))
    try:
        tom = ann.store.add_customer("汤姆")
        bob.merge_from(ann)
        ann.store.update_customer(tom, {"notes": "春节后再联系"})
        bob.clock.advance(days=1)
        bob.store.delete_customer(tom)
        ann.merge_from(bob)
        app = chinese_app(ann.store)
        async with app.run_test(size=SIZE) as pilot:
            await _reach(pilot, keys("5"))
            text = screen_text(app)
            assert (
                "删除还是保留" in text and "已于 2026-11-28 07:00 删除" in text and "未删除，已修改" in text
            )
    finally:
        ann.store.close()
        bob.store.close()


async def test_the_trash_speaks_chinese_and_restores_in_chinese(trouble):
    app = chinese_app(trouble)
    async with app.run_test(size=SIZE) as pilot:
        await _reach(pilot, keys("6"))
        text = screen_text(app)
        assert "已删除 3 条记录" in text and "r 恢复一条" in text and "r 恢复 c 冲突" in text
        for word in ("类型", "名称", "所属", "删除时间", "删除人", "客户", "商机", "跟进"):
            assert word in text, word
        assert "customer" not in text and "deal" not in text
        name = trouble.db.execute(
            "SELECT name FROM customers WHERE deleted_at IS NOT NULL ORDER BY deleted_at DESC LIMIT 1"
        ).fetchone()[0]
        await pilot.press("r")  # the latest deleted: Ann's customer
        await settle(pilot)
        assert [n.message for n in app._notifications] == [f"已恢复客户“{name}”。"]
        assert "已删除 2 条记录" in screen_text(app)


async def test_an_empty_trash_and_no_conflicts_in_chinese(chinese_demo_file, tmp_path):
    shutil.copy(chinese_demo_file, tmp_path / "demo.db")
    store = Store.open(tmp_path / "demo.db", "ann", FakeClock())
    try:
        app = chinese_app(store)
        async with app.run_test(size=SIZE) as pilot:
            await _reach(pilot, keys("6"))
            assert "回收站是空的。" in screen_text(app) and "已删除 0 条记录" in screen_text(app)
            await pilot.press("r")
            await settle(pilot)
            assert [n.message for n in app._notifications] == ["没有可恢复的记录。"]
            await _reach(pilot, keys("5"))
            assert "没有冲突。" in screen_text(app) and "0 个未处理的冲突" in screen_text(app)
            await pilot.press("k")
            await settle(pilot)
            assert "没有要处理的冲突。" in [n.message for n in app._notifications]
    finally:
        store.close()


def test_the_free_text_columns_are_cut_to_fit_but_never_below_ten_cells():
    from rich.text import Text

    from salesdesk.tui.screens.conflicts import FREE_COLUMNS as FREE
    from salesdesk.tui.text import fitted

    def line(*cells: str) -> list[Text]:
        return [Text(cell) for cell in cells]

    lines = [
        line("类别", "记录", "字段", "保留的值", "被覆盖的值", "发现时间"),
        line("商机", "x" * 34, "下一步", "约" * 8, "周" * 12, "2026-11-27 10:00"),
    ]
    assert fitted(lines, 120, FREE) == {}  # fits as it is
    widths = fitted(lines, 80, FREE)
    assert widths == {3: 13, 4: 13, 1: 14}
    natural = [4, 34, 6, 16, 24, 16]
    assert sum(widths.get(column, w) for column, w in enumerate(natural)) + 2 * 6 + 2 == 80
    assert fitted(lines, 60, FREE) == {}  # 8 cells each at most: the table scrolls sideways instead


async def test_reports_name_every_period_and_its_weeks_months_and_days_in_chinese(trouble):
    app = chinese_app(trouble)
    expected = [
        "最近30天：2026年10月29日–11月27日",
        "最近365天：2025年11月28日–2026年11月27日",
        "本周：2026年第48周，2026年11月23日–29日",
        "上周：2026年第47周，2026年11月16日–22日",
        "本季度：2026年第4季度，2026年10月1日–12月31日",
        "上季度：2026年第3季度，2026年7月1日–9月30日",
        "最近90天：2026年8月30日–11月27日",
    ]
    async with app.run_test(size=SIZE) as pilot:
        await _reach(pilot, keys("4"))
        text = screen_text(app)
        # Days as the money panel counts them (the stages' days are further down now).
        assert "第48周 11月23日" in text and "2026年11月" in text and "份合同中位数" in text
        for period in expected:
            await pilot.press("p")
            await settle(pilot)
            await app.workers.wait_for_complete()
            await settle(pilot)
            assert period in screen_text(app).splitlines()[1]
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert "90天，2026年6月1日–8月29日" in screen_text(app).splitlines()[1]


async def test_the_customer_list_heads_the_tier_column_in_chinese(trouble):
    app = chinese_app(trouble)
    async with app.run_test(size=SIZE) as pilot:
        await _reach(pilot, keys("3"))
        heading = screen_text(app).splitlines()[3]
        assert "分组     级     联系" in heading


async def test_at_80x24_a_long_name_in_the_trash_is_cut_with_an_ellipsis_not_through_a_character(
    trouble, cuts
):
    long_name = "深圳市前海华信智能制造科技股份有限公司采购部王经理"
    company = "华信科技（深圳）有限公司华南区域销售与售后服务中心"
    trouble.delete_customer(trouble.add_customer(long_name, company=company))
    app = chinese_app(trouble)
    async with app.run_test(size=SMALL) as pilot:
        await _reach(pilot, keys("6"))
        lines = screen_text(app).splitlines()
        assert not cuts, cuts[:3]
        [row] = [line for line in lines if line.lstrip().startswith("客户  深圳市")]
        assert "…" in row and "ann" in row  # cut to fit, and the columns after it still shown
        assert cell_len(row) == SMALL[0]
    # Wide enough, it is shown whole.
    app = chinese_app(trouble)
    async with app.run_test(size=(160, 40)) as pilot:
        await _reach(pilot, keys("6"))
        assert long_name in screen_text(app) and company in screen_text(app)
