"""Quotes to write in the tests of the HTML, PDF and markdown quotes, in English and Chinese."""

from dataclasses import replace
from datetime import date

from salesdesk.core.lines import AMOUNT, NONE, PERCENT, line_total, totals
from salesdesk.core.quotes import QuoteDocument, QuoteLine


def line(description, quantity_milli, unit_price, kind=NONE, discount=0, code="", unit="") -> QuoteLine:
    return QuoteLine(
        description=description,
        quantity_milli=quantity_milli,
        unit=unit,
        unit_price=unit_price,
        discount_kind=kind,
        discount=discount,
        total=line_total(quantity_milli, unit_price, kind, discount),
        code=code,
    )


def document(lines, *, currency="USD", language="en", **fields) -> QuoteDocument:
    sums = totals(
        [(item.quantity_milli, item.unit_price, item.discount_kind, item.discount) for item in lines]
    )
    values = {
        "number": "Q-2026-0012",
        "revision": 2,
        "issued_on": date(2026, 11, 27),
        "valid_until": date(2026, 12, 27),
        "currency": currency,
        "lines": tuple(lines),
        "subtotal": sums.subtotal,
        "discount_total": sums.discounts,
        "total": sums.total,
        "terms": "Payment within 30 days.\nPrices exclude VAT.",
        "seller": {
            "name": "Northwind Tools Ltd",
            "address": "12 Harbour Road\nBristol BS1 4QA",
            "phone": "+44 117 496 0000",
            "email": "sales@northwind.example",
            "tax_id": "GB123456789",
        },
        "buyer": {
            "name": "Maria Lopez",
            "company": "Lopez & Daughters",
            "email": "maria@lopez.example",
            "phone": "+34 600 000 000",
        },
        "language": language,
        "deal_title": "Workshop refit",
    }
    values.update(fields)
    return QuoteDocument(**values)


ENGLISH_LINES = [
    line("Annual maintenance contract", 1000, 1_250_000, code="MNT-1", unit="year"),
    line("Spare parts <kit> | size M & L", 2500, 4_999, PERCENT, 1250, code="SP-2", unit="box"),
    line("On-site training", 3000, 60_000, AMOUNT, 5_000, unit="day"),
]


def english() -> QuoteDocument:
    return document(ENGLISH_LINES)


def chinese() -> QuoteDocument:
    lines = [
        line("年度维保合同", 1000, 8_000_000, code="WB-01", unit="年"),
        line("备件框架协议（含运费）", 12_000, 35_000, PERCENT, 500, code="BJ-07", unit="套"),
        line("现场培训", 2000, 300_000, AMOUNT, 20_000, unit="天"),
    ]
    return document(
        lines,
        currency="CNY",
        language="zh",
        terms="报价有效期内价格不变。\n付款方式：合同签订后30天内电汇。",
        seller={
            "name": "上海北风工具有限公司",
            "address": "上海市浦东新区世纪大道100号",
            "phone": "021-5888-0000",
            "email": "sales@beifeng.example",
            "tax_id": "91310000MA1K000000",
        },
        buyer={"name": "王芳", "company": "杭州精工机械有限公司", "email": "", "phone": "138-0013-8000"},
        deal_title="车间改造",
    )


def many_lines(count: int, doc: QuoteDocument | None = None) -> QuoteDocument:
    """`doc` (English by default) with `count` lines, each with a long wrapping description."""
    base = doc or english()
    lines = [
        line(
            f"Item {index:03d}: replacement bearing assembly with seals, grease and fitting on site",
            1000 + index,
            1_000 + index,
            code=f"B-{index:03d}",
            unit="pc",
        )
        for index in range(1, count + 1)
    ]
    sums = totals(
        [(item.quantity_milli, item.unit_price, item.discount_kind, item.discount) for item in lines]
    )
    return replace(
        base, lines=tuple(lines), subtotal=sums.subtotal, discount_total=sums.discounts, total=sums.total
    )


def insert_quote(store, doc: QuoteDocument, *, seq: int | None = None, revision: int | None = None) -> str:
    """A `quotes` record of `doc` in `store` (a customer and deal made for it), as the
    quote-making code will keep one: through the one write path, its lines as JSON."""
    import json

    from salesdesk.core.quotes import lines_json

    customer = store.add_customer(doc.buyer.get("name") or "A customer")
    deal = store.add_deal(customer, doc.deal_title or "A deal", currency=doc.currency)
    year = doc.issued_on.year
    number_seq = seq if seq is not None else int(doc.number.rsplit("-", 1)[1])
    return store.records.insert(
        "quotes",
        {
            "number": doc.number,
            "year": year,
            "seq": number_seq,
            "revision": revision if revision is not None else doc.revision,
            "deal_id": deal,
            "customer_id": customer,
            "status": "sent",
            "issued_on": doc.issued_on.isoformat(),
            "valid_until": doc.valid_until.isoformat(),
            "currency": doc.currency,
            "subtotal": doc.subtotal,
            "discount_total": doc.discount_total,
            "total": doc.total,
            "lines": lines_json(doc.lines),
            "terms": doc.terms,
            "seller": json.dumps(doc.seller, ensure_ascii=False),
            "buyer": json.dumps(doc.buyer, ensure_ascii=False),
            "language": doc.language,
            "device": store.device,
        },
    )
