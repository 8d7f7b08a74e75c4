"""Contracts, instalments and receipts as CSV: read back with csv, amounts in major units
of each contract's currency, instalments with their status and outstanding on the
export day, Chinese headers and words under Chinese."""

import csv
import io
from datetime import timedelta

import pytest

from salesdesk import i18n
from salesdesk.io.csv_export import write_csv
from salesdesk.store import exports
from salesdesk.store.contracts import ContractStore
from tests.conftest import TODAY


@pytest.fixture
def book(store):
    """Two contracts in two currencies: one part paid and overdue, one paid in full and
    refunded a little; and a customer's contract end, carried over as a contract."""
    contracts = ContractStore(store)
    wang = store.add_customer("Wang Wei", company="Acme")
    laptops = store.add_deal(wang, "Laptops", 10_000_00, "CNY", stage_id="stage-signed")
    first = contracts.make(
        laptops, {**contracts.prefill(laptops, TODAY - timedelta(days=90)), "notes": "=1+1"}
    )
    contracts.set_plan(first, contracts.plan_from_pattern(first, "30% on signing, 70% in 60 days"))
    contracts.record_receipt(first, 4_000_00, TODAY - timedelta(days=80), method="alipay", reference="AP-1")
    ada = store.add_customer("Ada", contract_end="2027-06-30")
    engines = store.add_deal(ada, "Engines", 1_234_567, "JPY", stage_id="stage-signed")
    second = contracts.make(engines, contracts.prefill(engines, TODAY))
    contracts.record_receipt(second, 1_234_567, TODAY, method="transfer")
    contracts.record_receipt(second, -567, TODAY, reference="refund")
    return {"first": first, "second": second, "ada": ada}


def exported(store, table, fields, rows):
    """The header row and each row by field, as csv reads the file back."""
    target = io.BytesIO()
    count = write_csv(target, table, fields, rows)
    read = list(csv.reader(io.StringIO(target.getvalue().decode("utf-8-sig"))))
    assert len(read) == count + 1
    return read[0], [dict(zip(fields, row, strict=True)) for row in read[1:]]


def test_contracts_export_their_money_on_the_export_day(store, book):
    header, rows = exported(store, "contracts", exports.CONTRACT_FIELDS, exports.contracts(store.db, TODAY))
    assert header[:4] == ["id", "contract number", "customer", "customer id"]
    assert "collected" in header and "outstanding" in header and "overdue" in header
    by_id = {row["id"]: row for row in rows}
    first = by_id[book["first"]]
    assert (first["number"], first["customer"], first["deal"]) == ("C-2026-0001", "Wang Wei", "Laptops")
    assert (first["amount"], first["currency"], first["collected"]) == ("10000.00", "CNY", "4000.00")
    assert (first["outstanding"], first["overdue"]) == ("6000.00", "6000.00")  # 70% was due 30 days ago
    assert first["notes"] == "'=1+1"  # a formula-looking cell is escaped
    second = by_id[book["second"]]
    assert (second["amount"], second["currency"], second["collected"], second["outstanding"]) == (
        "1234567",
        "JPY",
        "1234000",
        "567",
    )
    end = by_id[f"contract-end-{book['ada']}"]
    assert (end["ends_on"], end["deal"], end["amount"]) == ("2027-06-30", "", "0.00")
    assert len(rows) == 3


def test_instalments_export_their_status_and_outstanding_on_the_export_day(store, book):
    header, rows = exported(
        store, "instalments", exports.INSTALMENT_FIELDS, exports.instalments(store.db, TODAY)
    )
    assert header == [
        "id",
        "contract",
        "contract id",
        "customer",
        "position",
        "label",
        "due on",
        "amount",
        "currency",
        "paid",
        "outstanding",
        "status",
        "days late",
        "snoozed until",
    ]
    shown = [(r["due_on"], r["amount"], r["paid"], r["outstanding"], r["status"]) for r in rows]
    signed = TODAY - timedelta(days=90)
    assert shown == [
        (signed.isoformat(), "3000.00", "3000.00", "0.00", "paid"),
        ((signed + timedelta(days=60)).isoformat(), "7000.00", "1000.00", "6000.00", "overdue"),
    ]
    assert [r["days_late"] for r in rows] == ["0", "30"]
    # A month earlier the second was only partly paid, not late.
    earlier = list(exports.instalments(store.db, TODAY - timedelta(days=45)))
    assert [(r["status"], r["days_late"]) for r in earlier] == [("paid", 0), ("partly paid", 0)]


def test_receipts_export_refunds_as_negative_amounts_in_their_currency(store, book):
    header, rows = exported(store, "receipts", exports.RECEIPT_FIELDS, exports.receipts(store.db))
    assert header == [
        "id",
        "contract",
        "contract id",
        "customer",
        "received on",
        "amount",
        "currency",
        "method",
        "reference",
        "instalment id",
    ]
    assert [(r["customer"], r["amount"], r["currency"], r["method"], r["reference"]) for r in rows] == [
        ("Wang Wei", "4000.00", "CNY", "Alipay", "AP-1"),
        ("Ada", "1234567", "JPY", "bank transfer", ""),
        ("Ada", "-567", "JPY", "", "refund"),
    ]


def test_deleted_contracts_and_their_records_are_not_exported(store, book):
    store.records.delete("contracts", book["first"])
    assert [r["id"] for r in exports.instalments(store.db, TODAY)] == []
    assert [r["currency"] for r in exports.receipts(store.db)] == ["JPY", "JPY"]
    assert book["first"] not in {r["id"] for r in exports.contracts(store.db, TODAY)}


def test_under_chinese_the_headers_statuses_and_methods_are_chinese(store, book):
    i18n.set_language("zh")
    try:
        header, rows = exported(
            store, "instalments", exports.INSTALMENT_FIELDS, exports.instalments(store.db, TODAY)
        )
        assert header[:3] == ["编号", "合同", "合同编号"] and "状态" in header
        assert [row["status"] for row in rows] == ["已回款", "逾期"]
        # An instalment's words are its own: "pending" money is 待回款, not a device's 待接受.
        contracts = ContractStore(store)
        deal = store.add_deal(book["ada"], "Spares", 50_000, "JPY", stage_id="stage-signed")
        spares = contracts.make(deal, {**contracts.prefill(deal, TODAY), "number": "C-2026-0099"})
        contracts.set_plan(spares, contracts.plan_from_pattern(spares, "30% on signing, 70% in 60 days"))
        _header, rows = exported(
            store, "instalments", exports.INSTALMENT_FIELDS, exports.instalments(store.db, TODAY)
        )
        assert [r["status"] for r in rows if r["contract"] == "C-2026-0099"] == ["待回款"] * 2
        header, rows = exported(store, "receipts", exports.RECEIPT_FIELDS, exports.receipts(store.db))
        assert [row["method"] for row in rows] == ["支付宝", "银行转账", ""]
        header, _rows = exported(
            store, "contracts", exports.CONTRACT_FIELDS, exports.contracts(store.db, TODAY)
        )
        assert header[:2] == ["编号", "合同号"] and {"已回款", "未回款", "逾期"} <= set(header)
    finally:
        i18n.set_language("en")
