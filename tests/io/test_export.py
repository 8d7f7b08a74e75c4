"""CSV exports open safely in a spreadsheet, and a customers export imports back unchanged."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
from icalendar import Calendar

from salesdesk.io.csv_export import write_csv
from salesdesk.io.csv_import import read_customers_csv
from salesdesk.io.ics import CalendarEntry, build_calendar, followup_entry
from salesdesk.store import exports
from salesdesk.store.importer import import_customers
from tests.conftest import TODAY
from tests.io.helpers import change_count, customers

FIELDS = {
    "customers": exports.CUSTOMER_FIELDS,
    "deals": exports.DEAL_FIELDS,
    "interactions": exports.INTERACTION_FIELDS,
    "followups": exports.FOLLOWUP_FIELDS,
}


def export(store, table) -> bytes:
    stream = io.BytesIO()
    write_csv(stream, table, FIELDS[table], getattr(exports, table)(store.db))
    return stream.getvalue()


def rows_of(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.fixture
def filled(store, clock):
    ada = store.add_customer(
        "Ada Lovelace",
        company='=HYPERLINK("http://x")',
        phone="+86 138 0013 8000",
        email="ada@example.com",
        birthday="--12-10",
        contract_end="2027-01-31",
        title="-boss",
        notes='line one\r\nline two, "quoted"',
    )
    store.add_tag(ada, "VIP")
    store.add_tag(ada, "北京")
    zhang = store.add_customer("张伟 😀", phone="@home", handle="+1-2", notes="[red]x[/] \x1b[31m")
    deal = store.add_deal(ada, "Engines", amount=1250050, currency="USD")
    store.add_deal(zhang, "算盘", amount=80000, currency="JPY")
    store.log_interaction(ada, "call", "=cmd|' /C calc'!A0", body="+\t")
    store.add_followup(ada, date(2026, 12, 1), "Send the quote", deal_id=deal)
    return store


def test_utf8_with_bom_and_crlf(filled):
    data = export(filled, "customers")
    assert data.startswith(
        b"\xef\xbb\xbfid,name,company,title,phone,email,handle,industry,tags,"
        b"birthday,lunar birthday,contract end,source,owner,notes\r\n"
    )
    assert "张伟 😀".encode() in data


def test_formula_cells_are_prefixed_plain_numbers_are_not(filled):
    header, ada, zhang = rows_of(export(filled, "customers"))
    row = dict(zip(header, ada, strict=True))
    assert row["company"] == '\'=HYPERLINK("http://x")'
    assert row["title"] == "'-boss"
    assert row["phone"] == "+86 138 0013 8000"
    assert row["birthday"] == "'--12-10"  # else a spreadsheet computes --12-10 = -2
    assert row["tags"] == "VIP, 北京"
    row = dict(zip(header, zhang, strict=True))
    # digits, spaces, brackets and dashes cannot call anything: a number stays as it is
    assert (row["phone"], row["handle"], row["notes"]) == ("'@home", "+1-2", "[red]x[/] \x1b[31m")
    [_, interaction] = rows_of(export(filled, "interactions"))
    assert interaction[7:9] == ["'=cmd|' /C calc'!A0", "'+\t"]


def test_every_table_exports(filled):
    assert [len(rows_of(export(filled, t))) for t in FIELDS] == [3, 3, 2, 2]
    header, *deals = rows_of(export(filled, "deals"))
    amounts = {
        row[header.index("title")]: (row[header.index("amount")], row[header.index("stage")]) for row in deals
    }
    assert amounts == {"Engines": ("12500.50", "Lead"), "算盘": ("80000", "Lead")}
    header, followup = rows_of(export(filled, "followups"))
    assert dict(zip(header, followup, strict=True))["due date"] == "2026-12-01"
    assert dict(zip(header, followup, strict=True))["deal"] == "Engines"


def test_deleted_records_are_not_exported(filled):
    [(customer_id,)] = filled.db.execute("SELECT id FROM customers WHERE name LIKE '张伟%'").fetchall()
    filled.delete_customer(customer_id)
    assert len(rows_of(export(filled, "customers"))) == 2


def test_customers_export_reimports_unchanged(tmp_path, filled):
    path = tmp_path / "customers.csv"
    path.write_bytes(export(filled, "customers"))
    before, snapshot = change_count(filled), customers(filled)
    batch = read_customers_csv(path)
    assert batch.refusals == [] and batch.extra_columns == []
    result = import_customers(filled, batch.customers)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert change_count(filled) == before and customers(filled) == snapshot


def test_customers_export_imports_into_a_new_database_as_the_same_customers(tmp_path, filled, clock):
    from salesdesk.store.store import Store

    path = tmp_path / "customers.csv"
    path.write_bytes(export(filled, "customers"))
    other = Store.open(tmp_path / "other.db", "ann", clock)
    try:
        import_customers(other, read_customers_csv(path).customers)
        fields = [f for f in exports.CUSTOMER_FIELDS if f not in ("id", "tags")]
        mine = [{f: c[f] for f in fields} for c in customers(filled)]
        theirs = [{f: c[f] for f in fields} for c in customers(other)]
        assert theirs == mine
        assert [other.tags_of(c["id"]) for c in customers(other)] == [
            filled.tags_of(c["id"]) for c in customers(filled)
        ]
        again = tmp_path / "again.csv"
        stream = io.BytesIO()
        write_csv(stream, "customers", FIELDS["customers"], exports.customers(other.db))
        again.write_bytes(stream.getvalue())
        strip_ids = [row[1:] for row in rows_of(again.read_bytes())]
        assert strip_ids == [row[1:] for row in rows_of(path.read_bytes())]
    finally:
        other.close()


# -- iCalendar ---------------------------------------------------------------------------


NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def calendar_of(store, weeks=2, owner="ann") -> Calendar:
    last = date.fromordinal(TODAY.toordinal() + weeks * 7 - 1)
    rows = exports.open_followups_between(store.db, TODAY, last, owner)
    return Calendar.from_ical(build_calendar([followup_entry(r) for r in rows], NOW))


def test_ics_has_the_open_followups_of_the_coming_weeks(store):
    ada = store.add_customer("Ada", company="Analytical", phone="+44 20 7946 0666")
    due = store.add_followup(ada, date(2026, 11, 30), "Send the quote", kind="email")
    timed = store.add_followup(ada, date(2026, 12, 2), "Call back", due_time="14:30")
    done = store.add_followup(ada, date(2026, 12, 3), "Already done")
    store.complete_followup(done, TODAY)
    store.add_followup(ada, date(2026, 11, 26), "Overdue yesterday")
    store.add_followup(ada, date(2026, 12, 11), "Beyond two weeks")
    store.add_followup(ada, date(2026, 12, 1), "Bob's", owner="bob")
    weekly = store.add_followup(ada, date(2026, 12, 4), "Weekly check", rrule="weekly")
    events = {str(e["uid"]): e for e in calendar_of(store).walk("VEVENT")}
    assert set(events) == {f"followup-{i}@salesdesk" for i in (due, timed, weekly)}
    event = events[f"followup-{due}@salesdesk"]
    assert str(event["summary"]) == "Send the quote · Ada"
    assert event.decoded("dtstart") == date(2026, 11, 30)
    assert event.decoded("dtend") == date(2026, 12, 1)
    assert str(event["description"]) == "Email Ada (Analytical)\nPhone: +44 20 7946 0666"
    assert events[f"followup-{timed}@salesdesk"].decoded("dtstart") == datetime(2026, 12, 2, 14, 30)
    assert events[f"followup-{weekly}@salesdesk"]["rrule"]["FREQ"] == ["WEEKLY"]
    assert events[f"followup-{due}@salesdesk"].decoded("dtstamp") == NOW
    everyone = calendar_of(store, owner=None).walk("VEVENT")
    assert len(everyone) == 4


def test_ics_text_is_literal_without_control_characters(store):
    ada = store.add_customer("[red]Ada[/] \x1b[31m; 张伟, 😀")
    store.add_followup(ada, date(2026, 11, 28), "a, b; c\\d")
    data = build_calendar(
        [followup_entry(r) for r in exports.open_followups_between(store.db, TODAY, date(2026, 12, 31))], NOW
    )
    assert b"\x1b" not in data
    [event] = Calendar.from_ical(data).walk("VEVENT")
    assert str(event["summary"]) == "a, b; c\\d · [red]Ada[/] \ufffd[31m; 张伟, 😀"


def test_calendar_entries_from_elsewhere_fit_in(store):
    entry = CalendarEntry(
        uid="care-birthday-x-2026-12-01@salesdesk",
        day=date(2026, 12, 1),
        summary="Birthday · Ada",
        category="salesdesk care",
    )
    [event] = Calendar.from_ical(build_calendar([entry], NOW)).walk("VEVENT")
    assert str(event["categories"].cats[0]) == "salesdesk care"


# -- in Chinese --------------------------------------------------------------------------

CHINESE_CUSTOMER_HEADERS = (
    "salesdesk 编号,姓名,公司,职位,手机,邮箱,微信,行业,标签,生日,农历生日,合同到期,来源,负责人,备注"
)


@pytest.mark.parametrize("read_in", ["zh", "en"])
def test_a_customers_export_in_chinese_has_chinese_headers_and_imports_back_unchanged(
    tmp_path, filled, read_in
):
    from salesdesk import i18n

    i18n.set_language("zh")
    path = tmp_path / "客户.csv"
    path.write_bytes(export(filled, "customers"))
    assert rows_of(path.read_bytes())[0] == CHINESE_CUSTOMER_HEADERS.split(",")
    i18n.set_language(read_in)
    before, snapshot = change_count(filled), customers(filled)
    batch = read_customers_csv(path)
    assert (batch.refusals, batch.extra_columns, batch.dialect) == ([], [], "")
    result = import_customers(filled, batch.customers)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert change_count(filled) == before and customers(filled) == snapshot


def test_every_chinese_export_header_reads_back_as_its_field():
    from salesdesk.io.headers import CHINESE_LABELS, LABELS, field_of

    assert set(CHINESE_LABELS) == set(LABELS)
    assert {field: field_of(header) for field, header in CHINESE_LABELS.items()} == {
        field: field for field in CHINESE_LABELS
    }


def test_the_other_tables_export_with_chinese_headers(filled):
    from salesdesk import i18n

    i18n.set_language("zh")
    deals = (
        "编号 标题 客户 客户编号 金额 币种 阶段 赢率 预计成交日期 下一步 负责人 输单原因 结束日期 "
        "进入阶段时间 创建时间"
    )
    assert rows_of(export(filled, "deals"))[0] == deals.split()
    assert rows_of(export(filled, "interactions"))[0] == (
        ["编号", "时间", "类型", "客户", "客户编号", "商机", "商机编号", "摘要", "内容", "记录人"]
    )
    followups = "编号 到期日期 到期时间 标题 类型 客户 客户编号 商机 商机编号 负责人 完成时间 重复规则"
    assert rows_of(export(filled, "followups"))[0] == followups.split()
    i18n.set_language("en")
    assert rows_of(export(filled, "deals"))[0][:4] == ["id", "title", "customer", "customer id"]


def test_a_calendar_in_chinese_describes_a_follow_up_in_chinese(store):
    from salesdesk import i18n

    ada = store.add_customer("张伟", company="恒达贸易", phone="138 0013 8000", email="zw@example.cn")
    deal = store.add_deal(ada, "年度采购", amount=100000, currency="CNY")
    store.add_followup(ada, date(2026, 11, 30), "发报价", kind="call", deal_id=deal)
    i18n.set_language("zh")
    [event] = calendar_of(store).walk("VEVENT")
    assert str(event["summary"]) == "发报价 · 张伟"
    assert str(event["description"]) == (
        "电话 张伟 (恒达贸易)\n商机：年度采购\n电话：138 0013 8000\n邮箱：zw@example.cn"
    )


def test_a_holiday_greeting_in_chinese_lists_whom_to_greet_in_chinese():
    from salesdesk import i18n
    from salesdesk.core.agenda import HOLIDAY, AgendaItem
    from salesdesk.io.ics import care_entry

    item = AgendaItem(
        key="care:holiday",
        kind=HOLIDAY,
        due=date(2027, 2, 6),
        what="春节祝福",
        why="A 级、B 级客户",
        occurrence="2027-02-06",
        greet=("张伟", "李娜"),
        greet_count=5,
    )
    assert care_entry(item).description == "A 级、B 级客户\nGreet: 张伟, 李娜 and 3 more"
    i18n.set_language("zh")
    assert care_entry(item).description == "A 级、B 级客户\n问候：张伟、李娜 等另外3位"
