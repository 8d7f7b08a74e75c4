"""A small database whose agenda holds money to collect: contracts with plans, a part
payment, a snoozed instalment and two currencies, for Today's receivable rows."""

from datetime import timedelta

from salesdesk.core.contracts import PlanPart
from salesdesk.store.contracts import ContractStore
from salesdesk.store.store import Store
from tests.conftest import TODAY


def _contract(store: Store, customer: str, company: str, currency: str, parts, number="") -> dict:
    contracts = ContractStore(store)
    customer_id = store.add_customer(customer, company=company)
    total = sum(amount for _days, amount in parts)
    deal = store.add_deal(
        customer_id, f"{company or customer} order", total, currency, stage_id="stage-signed"
    )
    values = {**contracts.prefill(deal, TODAY), "amount": total}
    if number:
        values["number"] = number
    contract = contracts.make(deal, values)
    plan = [PlanPart(TODAY + timedelta(days=days), amount, "") for days, amount in parts]
    return {
        "customer": customer_id,
        "deal": deal,
        "contract": contract,
        "plan": contracts.set_plan(contract, plan),
    }


def seed_receivables(store: Store) -> dict[str, dict]:
    """Acme: ¥3,000 paid, ¥7,000 of three due 12 days ago; Beta: $500 due today (its one
    instalment: collecting it completes the contract); Gamma: ¥2,000 in 4 days, partly
    paid; Delta's instalment snoozed past today."""
    contracts = ContractStore(store)
    found = {
        "acme": _contract(
            store,
            "Wang Wei",
            "Acme",
            "CNY",
            [(-40, 3_000_00), (-12, 7_000_00), (30, 5_000_00)],
            number="C-2026-0007",
        ),
        "beta": _contract(store, "Li Na", "Beta", "USD", [(0, 500_00)]),
        "gamma": _contract(store, "Zhang Min", "Gamma", "CNY", [(4, 2_000_00)]),
        "delta": _contract(store, "Tom Baker", "Delta", "CNY", [(-2, 1_000_00)]),
    }
    contracts.record_receipt(found["acme"]["contract"], 3_000_00, TODAY - timedelta(days=40))
    contracts.record_receipt(found["gamma"]["contract"], 500_00, TODAY - timedelta(days=1))
    contracts.snooze_instalment(found["delta"]["plan"][0], TODAY + timedelta(days=3))
    store.add_followup(found["beta"]["customer"], TODAY, "Call about the invoice")
    return found
