"""`salesdesk import`, `export` and the parser's help in Chinese, as a person runs them:
real processes, real files; English stays as it was (tests/test_cli_io.py)."""

import csv
import io
import re

import pytest
from icalendar import Calendar

from tests.test_cli import digest, new_database, run
from tests.test_cli_io import CHINESE_EXCEL, FIXTURES, rows

ZH = {"LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "zh_CN.UTF-8"}
CARDS = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:张伟\r\nEMAIL:zw@example.cn\r\nTEL;TYPE=CELL:138 0013 8000\r\n"
    "TEL;TYPE=WORK:010 1234 5678\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nORG:华光科技\r\nTEL:139 1234 5678\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:王芳\r\nEMAIL:wang@bad\r\nEND:VCARD\r\n"
)


@pytest.fixture
def chinese_excel(tmp_path):
    path = tmp_path / "客户.csv"
    path.write_bytes(CHINESE_EXCEL.encode("gb18030"))
    return path


@pytest.mark.parametrize("how", ["--lang", "LANG"])
def test_import_customers_speaks_chinese_and_refuses_a_row_in_chinese(tmp_path, chinese_excel, how):
    db, path = tmp_path / "s.db", chinese_excel
    args, env = (("--lang", "zh"), None) if how == "--lang" else ((), ZH)
    result = run("--db", str(db), *args, "import", "customers", str(path), env=env)
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        f"正在读取 {path}：GB18030（自动识别），逗号分隔（自动识别）；3 行。",
        "记入备注的列：微信号码。",
        f"{path} 第 5 行，邮箱 列：'wang@bad' 不是邮箱地址；请使用 name@example.com 这样的格式。",
        f"{path} 第 5 行，生日 列：'1990-02-30' 不是真实存在的日期；请使用 YYYY-MM-DD。",
        f"已导入 {path}：新建 2、更新 0、未变 0、拒绝 1。",
    ]
    assert result.stderr == ""
    again = run("--db", str(db), *args, "import", "customers", str(path), env=env)
    assert again.stdout.splitlines()[-1] == f"已导入 {path}：新建 0、更新 0、未变 2、拒绝 1。"


def test_a_dry_run_in_chinese_says_nothing_was_saved(tmp_path):
    db = tmp_path / "s.db"
    new_database(db)
    before = digest(db)
    path = FIXTURES / "contacts-zh.csv"
    result = run("--db", str(db), "--lang", "zh", "import", "customers", str(path), "--dry-run")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [
        f"正在读取 {path}：UTF-8（自动识别），逗号分隔（自动识别）；1 行。",
        f"试运行 {path}，未保存任何数据：新建 1、更新 0、未变 0、拒绝 0。",
    ]
    assert digest(db) == before


def test_a_dialect_is_named_in_chinese(tmp_path):
    path = FIXTURES / "google-contacts.csv"
    result = run(
        "--db", str(tmp_path / "s.db"), "--lang", "zh", "import", "customers", str(path), "--dry-run"
    )
    assert result.stdout.splitlines()[1] == "已识别为 Google 通讯录 CSV。"


def test_import_vcard_speaks_chinese(tmp_path):
    db, path = tmp_path / "s.db", tmp_path / "c.vcf"
    path.write_text(CARDS, encoding="utf-8")
    result = run("--db", str(db), "--lang", "zh", "import", "vcard", str(path))
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        f"正在读取 {path}：UTF-8（自动识别）；3 张名片。",
        "1 张名片没有姓名，已用其公司、邮箱或电话命名。",
        f"{path} 第 16 行，EMAIL：'wang@bad' 不是邮箱地址；请使用 name@example.com 这样的格式。",
        f"已导入 {path}：新建 2、更新 0、未变 0、拒绝 1。",
    ]
    assert rows(db, "SELECT name, notes FROM customers ORDER BY rid") == [
        ("张伟", "电话 (work): 010 1234 5678"),
        ("华光科技", ""),
    ]


def test_an_unreadable_file_is_refused_in_chinese_and_nothing_is_imported(tmp_path):
    db = tmp_path / "s.db"
    new_database(db)
    before = digest(db)
    missing = tmp_path / "没有.csv"
    result = run("--db", str(db), "--lang", "zh", "import", "customers", str(missing))
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"salesdesk: {missing} 不存在；请检查文件名。\n"
    sheet = run(
        "--db",
        str(db),
        "--lang",
        "zh",
        "import",
        "customers",
        str(FIXTURES / "contacts-zh.csv"),
        "--sheet",
        "x",
    )
    assert sheet.returncode == 2
    assert sheet.stderr == (
        f"salesdesk: --sheet 只用于工作簿，而 {FIXTURES / 'contacts-zh.csv'} "
        "是只含一张表的文本文件；请去掉此选项。\n"
    )
    assert digest(db) == before


def test_export_csv_in_chinese_writes_chinese_headers_that_import_back(tmp_path, chinese_excel):
    db, out = tmp_path / "s.db", tmp_path / "导出.csv"
    run("--db", str(db), "import", "customers", str(chinese_excel))
    result = run("--db", str(db), "--lang", "zh", "export", "csv", "customers", "-o", str(out))
    assert (result.returncode, result.stdout, result.stderr) == (0, f"已把 2 个客户写入 {out}\n", "")
    header = next(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert header[:6] == ["salesdesk 编号", "姓名", "公司", "职位", "手机", "邮箱"]
    changes = rows(db, "SELECT count(*) FROM changes")[0][0]
    back = run("--db", str(db), "--lang", "zh", "import", "customers", str(out))
    assert back.returncode == 0, back.stdout
    assert back.stdout.splitlines() == [
        f"正在读取 {out}：UTF-8（带 BOM）（自动识别），逗号分隔（自动识别）；2 行。",
        f"已导入 {out}：新建 0、更新 0、未变 2、拒绝 0。",
    ]
    assert rows(db, "SELECT count(*) FROM changes")[0][0] == changes
    english = run("--db", str(db), "import", "customers", str(out))
    assert english.stdout.splitlines()[-1] == f"Imported {out}: 0 created, 0 updated, 2 unchanged, 0 refused."


def test_export_messages_in_chinese_and_english(tmp_path, chinese_excel):
    db = tmp_path / "s.db"
    run("--db", str(db), "import", "customers", str(chinese_excel))
    cards = tmp_path / "c.vcf"
    result = run("--db", str(db), "--lang", "zh", "export", "vcard", "--tag", "vip", "-o", str(cards))
    assert result.stdout == f"已把 1 个带标签 'vip' 的客户写入 {cards}\n"
    result = run("--db", str(db), "export", "vcard", "--tag", "vip", "-o", str(cards))
    assert result.stdout == f"Wrote 1 customer tagged 'vip' to {cards}\n"
    refused = run("--db", str(db), "--lang", "zh", "export", "vcard", "--tag", "没有", "-o", str(cards))
    assert (refused.returncode, refused.stdout) == (1, "")
    assert refused.stderr == (
        "salesdesk: --tag '没有' 不是任何客户的标签；请使用以下之一：'VIP'、'上海'、'北京'、'重要客户'。\n"
    )
    deals = tmp_path / "d.csv"
    result = run("--db", str(db), "--lang", "zh", "export", "csv", "deals", "-o", str(deals))
    assert result.stdout == f"已把 0 个商机写入 {deals}\n"
    weeks = run("--db", str(db), "--lang", "zh", "export", "ics", "--weeks", "0")
    assert (weeks.returncode, weeks.stderr) == (1, "salesdesk: --weeks 0 太少；请使用 1 或更大的数。\n")


def test_export_ics_in_chinese(tmp_path):
    from datetime import UTC, date, datetime

    from salesdesk.store.store import Store

    db, out = tmp_path / "s.db", tmp_path / "a.ics"
    store = Store.open(db, "ann", lambda: datetime.now(UTC))
    zhang = store.add_customer("张伟", company="恒达贸易", phone="138 0013 8000")
    deal = store.add_deal(zhang, "年度采购", amount=100000, currency="CNY")
    followup = store.add_followup(zhang, date.today(), "发报价", kind="call", deal_id=deal)
    store.close()
    result = run("--db", str(db), "--lang", "zh", "export", "ics", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(
        r"已把 \d{4}-\d\d-\d\d 至 \d{4}-\d\d-\d\d 的 1 个跟进、\d+ 条关怀提醒和 0 笔待收回款写入 "
        + re.escape(f"{out}\n"),
        result.stdout,
    )
    events = {str(e["uid"]): e for e in Calendar.from_ical(out.read_bytes()).walk("VEVENT")}
    event = events[f"followup-{followup}@salesdesk"]
    assert str(event["summary"]) == "发报价 · 张伟"
    assert str(event["description"]) == "电话 张伟 (恒达贸易)\n商机：年度采购\n电话：138 0013 8000"


def test_help_is_chinese_under_a_chinese_locale_and_english_otherwise():
    chinese = run("--help", env=ZH)
    assert chinese.returncode == 0
    lines = chinese.stdout.splitlines()
    assert lines[0].startswith("用法：salesdesk [-h]")
    assert "终端里用键盘操作的客户管理系统。不带命令时打开应用。" in lines
    assert "  -h, --help      显示此帮助信息并退出" in lines
    assert "  --version       显示程序版本号并退出" in lines
    assert "选项:" in lines and "位置参数:" in lines
    imports = run("import", "customers", "--help", "--lang", "zh")
    assert "  --dry-run       只报告将导入的内容，不保存任何数据" in imports.stdout.splitlines()
    english = run("--help", env={"LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "C.UTF-8"})
    lines = english.stdout.splitlines()
    assert lines[0].startswith("usage: salesdesk [-h]")
    assert "  -h, --help      show this help message and exit" in lines
    assert "  --version       show program's version number and exit" in lines


def test_argparse_refusals_are_chinese():
    missing = run("import", "--lang", "zh")
    assert missing.returncode == 2
    assert missing.stderr.splitlines()[-1] == "salesdesk import：错误：缺少必需的参数：KIND"
    choice = run("export", "csv", "nope", env=ZH)
    assert choice.returncode == 2
    assert choice.stderr.splitlines()[-1] == (
        "salesdesk export csv：错误：参数 TABLE：无效的选项：'nope'"
        "（可选：'customers', 'deals', 'interactions', 'followups', 'products', "
        "'contracts', 'instalments', 'receipts'）"
    )
    english = run("export", "csv", "nope")
    assert english.stderr.splitlines()[-1].startswith(
        "salesdesk export csv: error: argument TABLE: invalid choice"
    )


def test_a_field_in_the_error_line_is_named_in_chinese(monkeypatch, capsys, tmp_path):
    from salesdesk.cli import imports, main
    from salesdesk.core.errors import InvalidValue

    def refuse(args, db_path, user):
        raise InvalidValue("amount", "x")

    monkeypatch.setattr(imports, "import_customers", refuse)
    assert main.main(["--db", str(tmp_path / "s.db"), "--lang", "zh", "import", "customers", "f.csv"]) == 1
    assert capsys.readouterr().err == "salesdesk: 金额: x\n"
    assert main.main(["--db", str(tmp_path / "s.db"), "--lang", "en", "import", "customers", "f.csv"]) == 1
    assert capsys.readouterr().err == "salesdesk: amount: x\n"
