"""`salesdesk import products` and `salesdesk export csv products` as a person runs them."""

import csv
import io
import sqlite3
from pathlib import Path

import pytest

from tests.test_cli import assert_one_sentence_error, digest, new_database, run

FIXTURES = Path(__file__).parent / "fixtures" / "products"
CATALOGUE = [
    ("MNT-01", "年度维保合同", "年", 1_200_000, "CNY", "服务", 1),
    ("SP-02", "备件框架协议", "份", 880_000, "CNY", "备件", 1),
    ("TR-03", "现场培训", "天", 350_050, "CNY", "服务", 1),
    ("", "安装调试", "次", 150_000, "CNY", "服务", 1),
    ("OLD-9", "旧款控制器", "台", 230_000, "CNY", "硬件", 0),
]


def rows(db, sql):
    with sqlite3.connect(db) as connection:
        return connection.execute(sql).fetchall()


def catalogue(db):
    return rows(
        db,
        "SELECT code, name, unit, price, currency, category, active FROM products "
        "WHERE deleted_at IS NULL ORDER BY created_at, id",
    )


@pytest.mark.parametrize("name", ["products-zh.csv", "products-zh.xlsx", "products-zh.ods"])
def test_a_chinese_catalogue_imports_and_importing_it_again_adds_nothing(tmp_path, name):
    db = tmp_path / "t.db"
    result = run("--db", str(db), "import", "products", str(FIXTURES / name))
    assert result.returncode == 0, result.stderr
    assert "Columns not imported: 备注." in result.stdout
    assert "5 created, 0 updated, 0 unchanged, 0 refused" in result.stdout
    assert catalogue(db) == CATALOGUE
    again = run("--db", str(db), "import", "products", str(FIXTURES / name))
    assert again.returncode == 0
    assert "0 created, 0 updated, 5 unchanged, 0 refused" in again.stdout
    assert catalogue(db) == CATALOGUE


def test_a_refused_row_is_one_sentence_exit_1_and_the_other_rows_go_in(tmp_path):
    db = tmp_path / "t.db"
    path = tmp_path / "prices.csv"
    path.write_text("name,code,price\r\nCable,C-1,abc\r\nPlug,P-2,3.50\r\n", encoding="utf-8")
    result = run("--db", str(db), "import", "products", str(path))
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert (
        f"{path} line 2, column price: 'abc' is not an amount; type a number such as 12500, "
        "12,500.50 or 12.5k." in result.stdout
    )
    assert "1 created, 0 updated, 0 unchanged, 1 refused" in result.stdout
    assert catalogue(db) == [("P-2", "Plug", "", 350, "USD", "", 1)]


def test_a_file_that_cannot_be_read_leaves_the_database_untouched(tmp_path):
    db = tmp_path / "t.db"
    new_database(db)
    before = digest(db)
    path = tmp_path / "notes.csv"
    path.write_text("title,remarks\r\nPrice list,2026\r\n", encoding="utf-8")
    result = run("--db", str(db), "import", "products", str(path))
    assert result.returncode == 2
    assert_one_sentence_error(result, str(path), "no product name column", "名称")
    missing = run("--db", str(db), "import", "products", str(tmp_path / "nowhere.csv"))
    assert missing.returncode == 2
    sheet = run("--db", str(db), "import", "products", str(FIXTURES / "products-zh.csv"), "--sheet", "A")
    assert sheet.returncode == 2
    assert_one_sentence_error(sheet, "--sheet is for workbooks")
    assert digest(db) == before


def test_a_dry_run_saves_nothing(tmp_path):
    db = tmp_path / "t.db"
    result = run("--db", str(db), "import", "products", str(FIXTURES / "products-zh.csv"), "--dry-run")
    assert result.returncode == 0
    assert "Dry run of" in result.stdout and "5 created" in result.stdout
    assert catalogue(db) == []


def test_a_changed_price_updates_the_product(tmp_path):
    db = tmp_path / "t.db"
    run("--db", str(db), "import", "products", str(FIXTURES / "products-zh.csv"))
    path = tmp_path / "new-prices.csv"
    path.write_text("货号,品名,单价\r\nSP-02,备件框架协议,9200\r\n", encoding="gb18030")
    result = run("--db", str(db), "import", "products", str(path))
    assert result.returncode == 0, result.stdout
    assert "0 created, 1 updated, 0 unchanged" in result.stdout
    assert catalogue(db)[1] == ("SP-02", "备件框架协议", "份", 920_000, "CNY", "备件", 1)


def test_export_csv_products_imports_back_to_the_same_catalogue(tmp_path):
    db = tmp_path / "t.db"
    run("--db", str(db), "import", "products", str(FIXTURES / "products-zh.csv"))
    out = tmp_path / "products.csv"
    result = run("--db", str(db), "export", "csv", "products", "-o", str(out))
    assert (result.returncode, result.stdout.strip()) == (0, f"Wrote 5 products to {out}")
    table = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert table[0] == ["id", "code", "name", "unit", "list price", "currency", "category", "active"]
    assert table[1][1:] == ["SP-02", "备件框架协议", "份", "8800.00", "CNY", "备件", "yes"]
    assert table[4][1:] == ["OLD-9", "旧款控制器", "台", "2300.00", "CNY", "硬件", "no"]
    again = run("--db", str(db), "import", "products", str(out))
    assert "0 created, 0 updated, 5 unchanged, 0 refused" in again.stdout
    chinese = run("--db", str(db), "export", "csv", "products", env={"LANGUAGE": "zh_CN"})
    lines = chinese.stdout.lstrip("\ufeff").splitlines()
    assert lines[0] == "salesdesk 编号,编码,名称,单位,单价,币种,类别,状态"
    assert lines[1].endswith(",是")
