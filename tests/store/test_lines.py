"""A deal's lines: added from a product or as free text, edited, moved, removed; the
deal's amount is their sum, written with every line in one transaction."""

import sqlite3

import pytest

from salesdesk.core.errors import InvalidValue, NotFound, StaleRecord
from salesdesk.core.lines import AMOUNT, MONEY_LIMIT, PERCENT
from salesdesk.store.lines import LineStore
from salesdesk.store.products import ProductStore


@pytest.fixture
def deal_id(store):
    customer = store.add_customer("李娜", company="华信科技有限公司")
    return store.add_deal(customer, "Support renewal", 9_900_00, "CNY")


@pytest.fixture
def lines(store):
    return LineStore(store)


@pytest.fixture
def upkeep(store):
    return ProductStore(store).add("年度维保合同", code="MNT-1", unit="年", price=12_000_00, currency="CNY")


def amount(store, deal_id):
    return store.deal(deal_id).amount


def changes_of(store, table):
    return store.db.execute("SELECT count(*) FROM changes WHERE tbl = ?", [table]).fetchone()[0]


def test_a_line_from_a_product_takes_its_name_unit_and_list_price(store, lines, deal_id, upkeep):
    line_id = lines.add_line(deal_id, upkeep)
    [line] = lines.lines_of(deal_id)
    assert line.id == line_id
    assert (line.description, line.unit, line.unit_price, line.quantity_milli) == (
        "年度维保合同",
        "年",
        12_000_00,
        1000,
    )
    assert (line.product_id, line.total) == (upkeep, 12_000_00)
    assert amount(store, deal_id) == 12_000_00  # the typed 9,900 gave way to the lines' sum


def test_a_product_priced_in_another_currency_gives_a_unit_price_of_zero(store, lines, deal_id):
    dollars = ProductStore(store).add("Spare parts", price=500_00, currency="USD")
    lines.add_line(deal_id, dollars, quantity_milli=2000)
    [line] = lines.lines_of(deal_id)
    assert (line.unit_price, line.total) == (0, 0)
    assert amount(store, deal_id) == 0


def test_what_is_given_wins_over_the_products(store, lines, deal_id, upkeep):
    lines.add_line(deal_id, upkeep, description="维保 (三年)", quantity_milli=3000, unit_price=11_000_00)
    [line] = lines.lines_of(deal_id)
    assert (line.description, line.total) == ("维保 (三年)", 33_000_00)


def test_free_text_lines_in_order_and_the_amount_is_their_sum(store, lines, deal_id):
    first = lines.add_line(
        deal_id, description="Installation", quantity_milli=2500, unit="h", unit_price=80_00
    )
    second = lines.add_line(
        deal_id,
        description="Tablets",
        quantity_milli=10_000,
        unit_price=300_00,
        discount_kind=PERCENT,
        discount=1000,
    )
    third = lines.add_line(
        deal_id, description="Delivery", unit_price=50_00, discount_kind=AMOUNT, discount=80_00
    )
    shown = lines.lines_of(deal_id)
    assert [line.id for line in shown] == [first, second, third]
    assert [line.position for line in shown] == [0, 1, 2]
    assert [line.total for line in shown] == [200_00, 2_700_00, 0]
    assert amount(store, deal_id) == 2_900_00


def test_editing_a_line_writes_its_total_and_the_deals_amount(store, lines, deal_id, upkeep):
    line_id = lines.add_line(deal_id, upkeep)
    lines.add_line(deal_id, description="Visit", unit_price=500_00)
    lines.update_line(line_id, {"quantity_milli": 2000, "discount_kind": PERCENT, "discount": 1250})
    assert lines.line(line_id).total == 21_000_00
    assert amount(store, deal_id) == 21_500_00


def test_a_line_write_and_the_amount_are_one_transaction(store, lines, deal_id, upkeep):
    """The amount fails to write (a trigger stands for a full disk): the line is not kept either."""
    line_id = lines.add_line(deal_id, upkeep)
    store.db.execute(
        "CREATE TRIGGER refuse BEFORE UPDATE OF amount ON deals BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    )
    with pytest.raises(sqlite3.Error):
        lines.update_line(line_id, {"quantity_milli": 5000})
    with pytest.raises(sqlite3.Error):
        lines.add_line(deal_id, description="Visit", unit_price=500_00)
    assert [line.quantity_milli for line in lines.lines_of(deal_id)] == [1000]
    assert lines.line(line_id).total == amount(store, deal_id) == 12_000_00


def test_a_stale_edit_of_a_line_is_refused(store, lines, deal_id, upkeep):
    line_id = lines.add_line(deal_id, upkeep)
    version = lines.line(line_id).version
    lines.update_line(line_id, {"quantity_milli": 2000})
    with pytest.raises(StaleRecord):
        lines.update_line(line_id, {"unit_price": 1}, expected_version=version)
    assert amount(store, deal_id) == 24_000_00


def test_moving_swaps_a_line_with_its_neighbour(store, lines, deal_id):
    ids = [lines.add_line(deal_id, description=name) for name in ("A", "B", "C")]
    assert lines.move_line(ids[2], -1)
    assert [line.description for line in lines.lines_of(deal_id)] == ["A", "C", "B"]
    assert lines.move_line(ids[0], +1)
    assert [line.description for line in lines.lines_of(deal_id)] == ["C", "A", "B"]
    assert not lines.move_line(ids[2], -1)  # already first
    assert not lines.move_line(ids[1], +1)  # already last
    assert [line.position for line in lines.lines_of(deal_id)] == [0, 1, 2]


def test_moving_lines_that_share_a_position_makes_them_distinct(store, lines, deal_id):
    """Two devices each added a line at position 1: shown in the order made, and moved apart."""
    ids = [lines.add_line(deal_id, description=name) for name in ("A", "B", "C")]
    store.records.update("deal_lines", ids[2], {"position": 1})
    assert [line.description for line in lines.lines_of(deal_id)] == ["A", "B", "C"]
    assert lines.move_line(ids[2], -1)
    assert [(line.description, line.position) for line in lines.lines_of(deal_id)] == [
        ("A", 0),
        ("C", 1),
        ("B", 2),
    ]


def test_removing_a_line_leaves_a_tombstone_and_the_sum_of_the_rest(store, lines, deal_id, upkeep):
    first = lines.add_line(deal_id, upkeep)
    second = lines.add_line(deal_id, description="Visit", unit_price=500_00)
    lines.remove_line(first)
    assert [line.id for line in lines.lines_of(deal_id)] == [second]
    assert store.records.get("deal_lines", first, include_deleted=True)["deleted_at"] is not None
    assert amount(store, deal_id) == 500_00
    lines.remove_line(second)
    assert lines.lines_of(deal_id) == []
    assert amount(store, deal_id) == 500_00  # the last sum stays, to be typed over now
    store.update_deal(deal_id, {"amount": 800_00})
    assert amount(store, deal_id) == 800_00


def test_a_typed_amount_on_a_deal_with_lines_is_refused(store, lines, deal_id, upkeep):
    lines.add_line(deal_id, upkeep)
    with pytest.raises(InvalidValue, match="sum of its lines") as refused:
        store.update_deal(deal_id, {"amount": 1_00})
    assert refused.value.field == "amount"
    assert amount(store, deal_id) == 12_000_00
    store.update_deal(deal_id, {"amount": 12_000_00, "title": "Support, 2027"})  # the amount shown: fine
    assert store.deal(deal_id).title == "Support, 2027"


def test_the_currency_of_a_deal_with_lines_stays(store, lines, deal_id, upkeep):
    lines.add_line(deal_id, upkeep)
    with pytest.raises(InvalidValue, match="priced in CNY"):
        store.update_deal(deal_id, {"currency": "USD"})
    assert store.deal(deal_id).currency == "CNY"


def test_a_stale_deal_save_is_told_as_stale_even_with_lines(store, lines, deal_id, upkeep):
    version = store.deal(deal_id).version
    lines.add_line(deal_id, upkeep)  # writes the amount: the deal moved on
    with pytest.raises(StaleRecord):
        store.update_deal(deal_id, {"amount": 9_900_00}, expected_version=version)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"description": "  "}, "description"),
        ({"description": "x" * 201}, "description"),
        ({"description": "x", "unit": "u" * 201}, "unit"),
        ({"description": "x", "quantity_milli": -1}, "quantity"),
        ({"description": "x", "quantity_milli": 10**12 + 1}, "quantity"),
        ({"description": "x", "unit_price": -5}, "unit price"),
        ({"description": "x", "unit_price": 2**53}, "unit price"),
        ({"description": "x", "discount_kind": "bogus", "discount": 1}, "discount"),
        ({"description": "x", "discount_kind": PERCENT, "discount": 10_001}, "discount"),
        ({"description": "x", "discount_kind": AMOUNT, "discount": -1}, "discount"),
    ],
)
def test_a_line_that_cannot_be_kept_is_refused_and_nothing_is_written(store, lines, deal_id, values, field):
    before = changes_of(store, "deal_lines"), amount(store, deal_id)
    with pytest.raises(InvalidValue) as refused:
        lines.add_line(deal_id, **values)
    assert refused.value.field == field
    assert (changes_of(store, "deal_lines"), amount(store, deal_id)) == before


def test_a_total_past_64_bits_is_refused_with_a_sentence(store, lines, deal_id):
    with pytest.raises(InvalidValue, match="too large to keep"):
        lines.add_line(deal_id, description="Everything", quantity_milli=10**12, unit_price=2**53 - 1)
    assert lines.lines_of(deal_id) == []


def test_a_sum_past_64_bits_is_refused_and_the_lines_stay(store, lines, deal_id):
    price = MONEY_LIMIT // 2 // 1000 + 1  # a thousand units of it: over half of what 64 bits keep
    quantity = 1_000_000  # a thousand units
    assert price * 1000 <= MONEY_LIMIT < 2 * price * 1000
    line_id = lines.add_line(deal_id, description="Half", quantity_milli=quantity, unit_price=price)
    with pytest.raises(InvalidValue, match="add up to more"):
        lines.add_line(deal_id, description="Other half", quantity_milli=quantity, unit_price=price)
    smaller = lines.add_line(deal_id, description="Small", unit_price=1)
    with pytest.raises(InvalidValue, match="add up to more"):
        lines.update_line(smaller, {"quantity_milli": quantity, "unit_price": price})
    assert [line.id for line in lines.lines_of(deal_id)] == [line_id, smaller]
    assert amount(store, deal_id) == price * 1000 + 1


def test_a_line_for_a_deal_or_product_that_is_not_there_is_refused(store, lines, deal_id):
    with pytest.raises(NotFound):
        lines.add_line("no-such-deal", description="x")
    with pytest.raises(NotFound):
        lines.add_line(deal_id, "no-such-product")
    store.delete_deal(deal_id)
    with pytest.raises(NotFound):
        lines.add_line(deal_id, description="x")


def test_each_line_write_is_in_the_change_log_with_the_amount(store, lines, deal_id, upkeep):
    deals_before = changes_of(store, "deals")
    line_id = lines.add_line(deal_id, upkeep)
    lines.update_line(line_id, {"quantity_milli": 2000})
    lines.update_line(line_id, {"unit": "套"})  # total and amount unchanged: no deal write
    assert changes_of(store, "deal_lines") == 3
    assert changes_of(store, "deals") == deals_before + 2


def test_a_removed_line_put_back_counts_in_the_sum_again(store, lines, deal_id, upkeep):
    first = lines.add_line(deal_id, upkeep)
    lines.add_line(deal_id, description="Visit", unit_price=500_00)
    lines.remove_line(first)
    assert amount(store, deal_id) == 500_00
    lines.restore_line(first)
    assert [line.id for line in lines.lines_of(deal_id)][0] == first  # in its place again
    assert amount(store, deal_id) == 12_500_00
    lines.restore_line(first)  # already back: nothing written
    assert changes_of(store, "deal_lines") == 4
