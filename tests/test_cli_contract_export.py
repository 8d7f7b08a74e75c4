"""`salesdesk export csv contracts|instalments|receipts` and `salesdesk check`'s counts of
them, as a person runs them."""

import csv
import io
from datetime import UTC, datetime, timedelta

from salesdesk.store.contracts import ContractStore
from salesdesk.store.store import Store
from tests.test_cli import run


def seed(path):
    """A signed deal whose contract of two instalments is part paid, the first due long ago."""
    today = datetime.now().astimezone().date()
    store = Store.open(path, "ann", lambda: datetime.now(UTC))
    try:
        customer = store.add_customer("李娜", company="华信科技有限公司")
        deal = store.add_deal(customer, "年度维保", 12_000_00, "CNY", stage_id="stage-signed")
        contracts = ContractStore(store)
        contract = contracts.make(deal, contracts.prefill(deal, today - timedelta(days=100)))
        contracts.set_plan(contract, contracts.plan_from_pattern(contract, "50% on signing, 50% in 30 days"))
        contracts.record_receipt(contract, 7_000_00, today - timedelta(days=95), method="wechat")
    finally:
        store.close()
    return today


def read(path):
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_export_csv_of_contracts_instalments_and_receipts(tmp_path):
    db = tmp_path / "t.db"
    today = seed(db)
    wrote = {}
    for table in ("contracts", "instalments", "receipts"):
        out = tmp_path / f"{table}.csv"
        result = run("--db", str(db), "export", "csv", table, "-o", str(out))
        assert result.returncode == 0, result.stderr
        wrote[table] = (result.stdout.strip(), read(out))
    assert wrote["contracts"][0] == f"Wrote 1 contract to {tmp_path / 'contracts.csv'}"
    assert wrote["instalments"][0] == f"Wrote 2 instalments to {tmp_path / 'instalments.csv'}"
    assert wrote["receipts"][0] == f"Wrote 1 receipt to {tmp_path / 'receipts.csv'}"
    header, contract = wrote["contracts"][1]
    row = dict(zip(header, contract, strict=True))
    assert (row["customer"], row["deal"], row["amount"], row["collected"]) == (
        "李娜",
        "年度维保",
        "12000.00",
        "7000.00",
    )
    assert (row["outstanding"], row["overdue"]) == ("5000.00", "5000.00")
    header, *instalments = wrote["instalments"][1]
    rows = [dict(zip(header, r, strict=True)) for r in instalments]
    # On the export day (today) the second instalment is 70 days late.
    assert [(r["status"], r["paid"], r["outstanding"], r["days late"]) for r in rows] == [
        ("paid", "6000.00", "0.00", "0"),
        ("overdue", "1000.00", "5000.00", "70"),
    ]
    assert rows[1]["due on"] == (today - timedelta(days=70)).isoformat()
    header, receipt = wrote["receipts"][1]
    assert dict(zip(header, receipt, strict=True))["method"] == "WeChat Pay"


def test_export_csv_instalments_in_chinese_to_stdout(tmp_path):
    db = tmp_path / "t.db"
    seed(db)
    result = run("--db", str(db), "export", "csv", "instalments", env={"LANGUAGE": "zh_CN"})
    assert result.returncode == 0, result.stderr
    table = list(csv.reader(io.StringIO(result.stdout.lstrip("\ufeff"))))
    assert table[0][:4] == ["编号", "合同", "合同编号", "客户"]
    assert "状态" in table[0] and "未回款" in table[0]
    status = table[0].index("状态")
    assert [row[status] for row in table[1:]] == ["已回款", "逾期"]


def test_an_unknown_table_is_refused_with_the_tables_there_are(tmp_path):
    result = run("--db", str(tmp_path / "t.db"), "export", "csv", "payments")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "contracts" in result.stderr and "instalments" in result.stderr and "receipts" in result.stderr


def test_check_counts_contracts_instalments_and_receipts_in_the_language_shown(tmp_path):
    db = tmp_path / "t.db"
    seed(db)
    english = run("--db", str(db), "check", env={"LANGUAGE": "en"}).stdout.splitlines()
    assert {"  contracts            1", "  instalments          2", "  receipts             1"} <= set(
        english
    )
    chinese = run("--db", str(db), "--lang", "zh", "check")
    assert chinese.returncode == 0, chinese.stderr
    labels = {line.split()[0]: line.split(maxsplit=1)[1] for line in chinese.stdout.splitlines()[1:]}
    assert (labels["合同"], labels["分期"], labels["回款"]) == ("1", "2", "1")
