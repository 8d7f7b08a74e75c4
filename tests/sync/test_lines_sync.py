"""Two devices edit one deal's lines before they sync: every line arrives, each total and
the deal's amount are worked out again from the merged lines, and the copies agree."""

from salesdesk.core.lines import PERCENT, line_total
from salesdesk.store.lines import LineStore
from salesdesk.store.products import ProductStore


def _sync(ann, bob):
    ann.merge_from(bob)
    bob.merge_from(ann)


def _shown(device, deal_id):
    return [
        (line.description, line.quantity_milli, line.unit_price, line.total)
        for line in LineStore(device.store).lines_of(deal_id)
    ]


def test_lines_added_and_edited_on_two_devices_converge_with_the_right_sum(team):
    ann, bob, _ = team
    customer = ann.store.add_customer("李娜", company="华信科技有限公司")
    deal_id = ann.store.add_deal(customer, "Support renewal", 9_900_00, "CNY")
    upkeep = ProductStore(ann.store).add("年度维保合同", unit="年", price=12_000_00, currency="CNY")
    shared = LineStore(ann.store).add_line(deal_id, upkeep, quantity_milli=2000)
    bob.merge_from(ann)
    assert _shown(bob, deal_id) == [("年度维保合同", 2000, 12_000_00, 24_000_00)]

    # Offline: each adds a line; ann changes the shared line's quantity, bob its price.
    ann.clock.advance(minutes=5)
    bob.clock.advance(minutes=5)
    LineStore(ann.store).add_line(deal_id, description="Installation", quantity_milli=2500, unit_price=800_00)
    LineStore(bob.store).add_line(
        deal_id, description="Spare parts", unit_price=3_000_00, discount_kind=PERCENT, discount=1000
    )
    LineStore(ann.store).update_line(shared, {"quantity_milli": 3000})  # 3 x 12,000 on ann's copy
    LineStore(bob.store).update_line(shared, {"unit_price": 11_000_00})  # 2 x 11,000 on bob's
    assert ann.store.deal(deal_id).amount == 36_000_00 + 2_000_00
    assert bob.store.deal(deal_id).amount == 22_000_00 + 2_700_00

    _sync(ann, bob)

    for device in (ann, bob):
        lines = LineStore(device.store).lines_of(deal_id)
        assert sorted(line.description for line in lines) == ["Installation", "Spare parts", "年度维保合同"]
        merged = next(line for line in lines if line.id == shared)
        assert (merged.quantity_milli, merged.unit_price, merged.total) == (3000, 11_000_00, 33_000_00)
        for line in lines:
            assert line.total == line_total(
                line.quantity_milli, line.unit_price, line.discount_kind, line.discount
            )
        assert (
            device.store.deal(deal_id).amount
            == sum(line.total for line in lines)
            == 33_000_00 + 2_000_00 + 2_700_00
        )
    assert _shown(ann, deal_id) == _shown(bob, deal_id)  # the same order on both copies
    assert ann.digest() == bob.digest()
    # The totals and the amount each wrote are worked out again, not conflicts to review.
    for device in (ann, bob):
        found = device.store.db.execute("SELECT tbl, field, resolved_at IS NULL FROM conflicts").fetchall()
        assert ("deals", "amount", 0) in found
        assert [row for row in found if row[2]] == []

    # Syncing again writes nothing new, on either side.
    before = ann.entries(), bob.entries(), ann.digest()
    again = ann.merge_from(bob), bob.merge_from(ann)
    assert [report.entries for report in again] == [0, 0]
    assert (ann.entries(), bob.entries(), ann.digest()) == before
    assert bob.digest() == before[2]


def test_a_line_removed_on_one_device_while_another_is_added_leaves_the_sum_of_what_is_left(team):
    ann, bob, _ = team
    customer = ann.store.add_customer("Tom Baker", company="Baker & Sons")
    deal_id = ann.store.add_deal(customer, "Annual support", 0)
    first = LineStore(ann.store).add_line(deal_id, description="Support", unit_price=9_900_00)
    bob.merge_from(ann)
    ann.clock.advance(minutes=5)
    bob.clock.advance(minutes=5)
    LineStore(ann.store).remove_line(first)
    LineStore(bob.store).add_line(deal_id, description="Training day", unit_price=1_200_00)
    _sync(ann, bob)
    for device in (ann, bob):
        assert _shown(device, deal_id) == [("Training day", 1000, 1_200_00, 1_200_00)]
        assert device.store.deal(deal_id).amount == 1_200_00
    assert ann.digest() == bob.digest()


def test_a_typed_amount_from_a_copy_without_the_lines_gives_way_to_the_lines_sum(team):
    """Bob typed an amount before ann's first line reached him: the lines' sum stands on both."""
    ann, bob, _ = team
    customer = ann.store.add_customer("Chen Jing")
    deal_id = ann.store.add_deal(customer, "Fleet tracking", 0)
    bob.merge_from(ann)
    ann.clock.advance(minutes=5)
    bob.clock.advance(minutes=30)  # bob's amount is the newer write
    LineStore(ann.store).add_line(deal_id, description="Trackers", quantity_milli=40_000, unit_price=150_00)
    bob.store.update_deal(deal_id, {"amount": 99_000_00})
    _sync(ann, bob)
    for device in (ann, bob):
        assert device.store.deal(deal_id).amount == 6_000_00
    assert ann.digest() == bob.digest()
