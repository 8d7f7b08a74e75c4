"""A small history with every figure of the reports worked out by hand (see the tests).

Today is Friday 27 November 2026 (tests.conftest.TODAY); the week is 2026-W48, Monday 23
to Sunday 29 November; the week before, 16 to 22 November. Every time is 09:00 UTC unless
said. Deals (USD unless said; owner ann unless said):

| deal | customer | amount | history |
| --- | --- | --- | --- |
| acme-pilot | Acme | $1,000 | Lead 1 Aug, won 20 Aug |
| acme-rollout | Acme | $5,000 | Lead 2 Nov, Qualified 5 Nov, Quote 9 Nov, won 24 Nov |
| birch-service | Birch | $2,000 | Lead 1 Oct, won 20 Oct |
| birch-upgrade (bob) | Birch | $3,000 | Lead 4 Nov, Qualified 6 Nov, won 26 Nov |
| cedar-kiosks | Cedar | $4,000 | Lead 5 Oct, won 15 Oct |
| dune-audit | Dune | $6,000 | Lead 3 Nov, Qualified 13 Nov, lost 25 Nov (HOSTILE_REASON) |
| elm-sensors | Elm | ¥80,000 CNY | Lead 10 Nov, expected close 10 Dec |
| elm-gateway | Elm | $1,500 | Lead 17 Nov, Quote 19 Nov, lost 20 Nov "went silent" |
| fir-training | HOSTILE_CUSTOMER | $700 | Lead 24 Nov, expected 5 Dec; moved to Qualified 25 Nov and undone |
| gum-contract | Gum | $10,000, own 60% | Lead 2 Nov, Quote 16 Nov, Negotiation 23 Nov, expected 31 Oct |
| hazel-maps | Hazel | $300 | Lead 1 Sep, no expected close |
| ivy-desks | Ivy | $900 | Lead 11 Nov, lost 12 Nov "went silent" |
| juniper-licence | Juniper | $1,200 | Lead 18 Nov, won 19 Nov |

Interactions: ann calls Acme 2 Nov and 24 Nov, emails Birch 25 Nov, meets Elm 26 Nov (and
a note on 1 Oct); bob calls Birch 25 Nov and visits 26 Nov; HOSTILE_PERSON messages Elm 27
Nov at 08:00. Follow-ups (ann's): "Send proposal" due 20 Nov, open; "Call Birch" due 24
Nov, done 25 Nov; "Confirm the order" due 17 Nov, done 18 Nov; "Check in with Elm" due 30
Nov; HOSTILE_FOLLOWUP due 2 Dec; "Quarterly review" due 10 Dec. Elm's birthday is
1980-12-01; Cedar's contract ends 2026-12-31 (renewal due 1 Dec).

Lines (`seed_products`; each deal's lines add up to its amount, so the figures above hold):
acme-rollout 2 Annual maintenance (MNT, Services, year) @ $1,500, 4 HOSTILE_PRODUCT
(Hardware) @ $400 and "On-site training" $400; birch-upgrade 1 Annual maintenance @ $1,500
and 1.5 Setup (no category, hour) @ $1,000; juniper-licence 3 HOSTILE_PRODUCT @ $400;
dune-audit (lost) 4 Annual maintenance. Quotes: Q-2026-0001 of acme-rollout sent 9 Nov
(valid to 9 Dec) and its v2 sent 20 Nov (to 20 Dec), accepted; Q-2026-0002 of
gum-contract sent 16 Nov; Q-2026-0003 of elm-gateway sent 19 Nov, valid to 25 Nov,
expired; Q-2026-0004 of dune-audit sent 23 Nov, valid to 30 Nov.
"""

from datetime import UTC, date, datetime

from salesdesk.store.contracts import ContractStore
from salesdesk.store.store import Store
from tests.conftest import START, FakeClock

HOSTILE_CUSTOMER = "Fir & Pine | [b]Ltd[/b]\nNorth_branch"
HOSTILE_REASON = "price | too high\n[red]again[/red] *really*"
HOSTILE_FOLLOWUP = "Call `Eve` <eve@example.com> \\ back #1 ~now~ $5"
HOSTILE_PERSON = "e|ve [x]"
HOSTILE_PRODUCT = "Sensor | kit [b]v2[/b]\n*pro*"


def at(clock: FakeClock, month: int, day: int, hour: int = 9) -> datetime:
    clock.now = datetime(2026, month, day, hour, tzinfo=UTC)
    return clock.now


def seed_reports(store: Store, clock: FakeClock) -> dict[str, str]:
    """Write the history above through the store; returns name -> id."""
    ids: dict[str, str] = {}
    at(clock, 8, 1)
    for name, extra in (
        ("Acme", {}),
        ("Birch", {}),
        ("Cedar", {"contract_end": "2026-12-31"}),
        ("Dune", {}),
        ("Elm", {"birthday": "1980-12-01"}),
        (HOSTILE_CUSTOMER, {}),
        ("Gum", {}),
        ("Hazel", {}),
        ("Ivy", {}),
        ("Juniper", {}),
    ):
        ids[name] = store.add_customer(name, **extra)
        if extra.get("contract_end"):  # its contract, as the store keeps it (renewals read contracts)
            ContractStore(store).set_customer_end(ids[name], extra["contract_end"])

    def deal(key, customer, dollars, month, day, **values):
        at(clock, month, day)
        values.setdefault("currency", "USD")
        ids[key] = store.add_deal(ids[customer], key, dollars * 100, **values)
        return ids[key]

    def move(key, stage, month, day, reason=""):
        at(clock, month, day)
        return store.move_deal(ids[key], f"stage-{stage}", lost_reason=reason)

    deal("acme-pilot", "Acme", 1_000, 8, 1)
    move("acme-pilot", "signed", 8, 20)
    deal("hazel-maps", "Hazel", 300, 9, 1)
    deal("birch-service", "Birch", 2_000, 10, 1)
    deal("cedar-kiosks", "Cedar", 4_000, 10, 5)
    move("cedar-kiosks", "signed", 10, 15)
    move("birch-service", "signed", 10, 20)
    deal("acme-rollout", "Acme", 5_000, 11, 2)
    deal("gum-contract", "Gum", 10_000, 11, 2, probability=60, expected_close="2026-10-31")
    deal("dune-audit", "Dune", 6_000, 11, 3)
    deal("birch-upgrade", "Birch", 3_000, 11, 4, owner="bob")
    move("acme-rollout", "qualified", 11, 5)
    move("birch-upgrade", "qualified", 11, 6)
    move("acme-rollout", "quote", 11, 9)
    deal("elm-sensors", "Elm", 80_000, 11, 10, currency="CNY", expected_close="2026-12-10")
    deal("ivy-desks", "Ivy", 900, 11, 11)
    move("ivy-desks", "lost", 11, 12, "went silent")
    move("dune-audit", "qualified", 11, 13)
    move("gum-contract", "quote", 11, 16)
    deal("elm-gateway", "Elm", 1_500, 11, 17)
    deal("juniper-licence", "Juniper", 1_200, 11, 18)
    move("elm-gateway", "quote", 11, 19)
    move("juniper-licence", "signed", 11, 19)
    move("elm-gateway", "lost", 11, 20, "went silent")
    move("gum-contract", "negotiation", 11, 23)
    move("acme-rollout", "signed", 11, 24)
    deal("fir-training", HOSTILE_CUSTOMER, 700, 11, 24, expected_close="2026-12-05")
    undone = move("fir-training", "qualified", 11, 25)
    store.undo_stage_change(undone.id)
    move("dune-audit", "lost", 11, 25, HOSTILE_REASON)
    move("birch-upgrade", "signed", 11, 26)

    bob = Store(store.db, "bob", clock)
    eve = Store(store.db, HOSTILE_PERSON, clock)
    for who, customer, kind, month, day, hour in (
        (store, "Acme", "note", 10, 1, 9),
        (store, "Acme", "call", 11, 2, 9),
        (store, "Acme", "call", 11, 24, 9),
        (store, "Birch", "email", 11, 25, 9),
        (store, "Elm", "meeting", 11, 26, 9),
        (bob, "Birch", "call", 11, 25, 10),
        (bob, "Birch", "visit", 11, 26, 10),
        (eve, "Elm", "message", 11, 27, 8),
    ):
        moment = at(clock, month, day, hour)
        who.log_interaction(ids[customer], kind, f"{kind} with {customer}", at=moment)

    at(clock, 11, 16)
    open_one = store.add_followup(ids["Acme"], date(2026, 11, 20), "Send proposal")
    done_now = store.add_followup(ids["Birch"], date(2026, 11, 24), "Call Birch")
    done_before = store.add_followup(ids["Juniper"], date(2026, 11, 17), "Confirm the order")
    store.add_followup(ids["Elm"], date(2026, 11, 30), "Check in with Elm", deal_id=ids["elm-sensors"])
    store.add_followup(ids["Gum"], date(2026, 12, 2), HOSTILE_FOLLOWUP)
    store.add_followup(ids["Hazel"], date(2026, 12, 10), "Quarterly review")
    at(clock, 11, 18)
    store.complete_followup(done_before, date(2026, 11, 18))
    at(clock, 11, 25)
    store.complete_followup(done_now, date(2026, 11, 25))
    ids["open-followup"] = open_one
    seed_products(store, clock, ids)
    clock.now = START
    return ids


def seed_products(store: Store, clock: FakeClock, ids: dict[str, str]) -> None:
    """The lines and quotes of the history above (see the module's docstring)."""
    at(clock, 11, 1)
    maintenance = add_product(
        store, "Annual maintenance", 150_000, code="MNT", category="Services", unit="year"
    )
    kit = add_product(store, HOSTILE_PRODUCT, 40_000, code="KIT-2", category="Hardware", unit="pcs")
    setup = add_product(store, "Setup", 100_000, code="SET", unit="hour")
    add_line(store, ids["acme-rollout"], "Annual maintenance", 2_000, 150_000, maintenance)
    add_line(store, ids["acme-rollout"], HOSTILE_PRODUCT, 4_000, 40_000, kit)
    add_line(store, ids["acme-rollout"], "On-site training", 1_000, 40_000)
    add_line(store, ids["birch-upgrade"], "Annual maintenance", 1_000, 150_000, maintenance)
    add_line(store, ids["birch-upgrade"], "Setup", 1_500, 100_000, setup)
    add_line(store, ids["juniper-licence"], HOSTILE_PRODUCT, 3_000, 40_000, kit)
    add_line(store, ids["dune-audit"], "Annual maintenance", 4_000, 150_000, maintenance)
    for key, seq, total, issued, valid, revision in (
        ("acme-rollout", 1, 500_000, date(2026, 11, 9), date(2026, 12, 9), 1),
        ("acme-rollout", 1, 500_000, date(2026, 11, 20), date(2026, 12, 20), 2),
        ("gum-contract", 2, 1_000_000, date(2026, 11, 16), date(2026, 12, 16), 1),
        ("elm-gateway", 3, 150_000, date(2026, 11, 19), date(2026, 11, 25), 1),
        ("dune-audit", 4, 600_000, date(2026, 11, 23), date(2026, 11, 30), 1),
    ):
        sent = datetime(issued.year, issued.month, issued.day, 11, tzinfo=UTC)
        add_quote(store, ids[key], seq, total, issued, valid, sent, revision=revision)


# -- products, lines and quotes (issue 19) ---------------------------------------------------


def add_product(store: Store, name: str, price: int, currency: str = "USD", **values) -> str:
    return store.records.insert("products", {"name": name, "price": price, "currency": currency, **values})


def add_line(
    store: Store,
    deal_id: str,
    description: str,
    quantity_milli: int,
    unit_price: int,
    product_id: str | None = None,
    discount_kind: str = "none",
    discount: int = 0,
    **values,
) -> str:
    """A line of a deal, its total and the deal's amount made as the app makes them."""
    from salesdesk.core.lines import line_total
    from salesdesk.store.lines import refresh

    position = store.db.execute("SELECT count(*) FROM deal_lines WHERE deal_id = ?", [deal_id]).fetchone()[0]
    line_id = store.records.insert(
        "deal_lines",
        {
            "deal_id": deal_id,
            "product_id": product_id,
            "position": position,
            "description": description,
            "quantity_milli": quantity_milli,
            "unit_price": unit_price,
            "discount_kind": discount_kind,
            "discount": discount,
            "total": line_total(quantity_milli, unit_price, discount_kind, discount),
            **values,
        },
    )
    refresh(store, [deal_id])
    return line_id


def add_quote(
    store: Store,
    deal_id: str,
    seq: int,
    total: int,
    issued: date,
    valid_until: date,
    sent: datetime | None,
    revision: int = 1,
    currency: str = "USD",
) -> str:
    """A quote of the deal, Q-2026-<seq>, sent at `sent` (None: a draft)."""
    from salesdesk.core.dates import timestamp
    from salesdesk.core.quotes import quote_number

    customer = store.db.execute("SELECT customer_id FROM deals WHERE id = ?", [deal_id]).fetchone()[0]
    return store.records.insert(
        "quotes",
        {
            "number": quote_number(issued.year, seq),
            "year": issued.year,
            "seq": seq,
            "revision": revision,
            "deal_id": deal_id,
            "customer_id": customer,
            "status": "draft" if sent is None else "sent",
            "issued_on": issued.isoformat(),
            "valid_until": valid_until.isoformat(),
            "sent_at": None if sent is None else timestamp(sent),
            "currency": currency,
            "subtotal": total,
            "total": total,
            "device": store.device,
        },
    )
