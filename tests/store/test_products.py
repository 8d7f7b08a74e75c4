"""The product catalogue: checked values, search, retiring, and importing it from files."""

from pathlib import Path

import pytest

from salesdesk.core.errors import InvalidValue
from salesdesk.io.product_rows import read_products_csv, read_products_sheet
from salesdesk.io.sheets import workbook_kind
from salesdesk.store.product_import import import_products
from salesdesk.store.products import ProductStore

FIXTURES = Path(__file__).parent.parent / "fixtures" / "products"


def catalogue(store):
    return [
        tuple(row)
        for row in store.db.execute(
            "SELECT code, name, unit, price, currency, category, active FROM products "
            "WHERE deleted_at IS NULL ORDER BY created_at, id"
        )
    ]


def changes(store):
    return store.db.execute("SELECT count(*) FROM changes").fetchone()[0]


def write(path, text, encoding="utf-8"):
    path.write_text(text, encoding=encoding, newline="")
    return path


def load(store, path, dry_run=False):
    batch = read_products_csv(path)
    return batch, import_products(store, batch.products, dry_run=dry_run)


def test_a_product_is_checked_as_it_is_added(store):
    products = ProductStore(store)
    product_id = products.add("  Annual maintenance ", code=" MNT-01 ", unit="year", price=1_200_000)
    product = products.get(product_id)
    assert (product.name, product.code, product.currency, product.active) == (
        "Annual maintenance",
        "MNT-01",
        store.setting("currency"),
        1,
    )
    with pytest.raises(InvalidValue) as error:
        products.add(" ")
    assert error.value.field == "name"
    with pytest.raises(InvalidValue) as error:
        products.add("Spare parts", price=-1)
    assert error.value.field == "price"
    with pytest.raises(InvalidValue) as error:
        products.add("Spare parts", currency="yuan")
    assert error.value.field == "currency"
    with pytest.raises(InvalidValue) as error:
        products.add("Spare parts", colour="red")
    assert products.count() == 1


def test_search_finds_name_code_or_category_codes_first_and_retired_only_when_asked(store):
    products = ProductStore(store)
    training = products.add("Training day", code="TR-03", category="Service")
    products.add("Transformer", code="HW-10", category="Hardware")
    old = products.add("Old controller", code="TRX-9", category="Hardware")
    products.retire(old)
    assert [p.name for p in products.search("tr")] == ["Training day", "Transformer"]
    assert [p.name for p in products.search("tr", active_only=False)] == [
        "Old controller",
        "Training day",
        "Transformer",
    ]
    assert [p.id for p in products.search("service")] == [training]
    assert products.search("100%") == []
    assert (products.count(), products.count(active_only=True)) == (3, 2)
    products.retire(old, retired=False)
    assert products.count(active_only=True) == 3
    assert products.by_code("trx-9").id == old


def test_an_import_creates_then_matches_by_code_or_name_and_unit(tmp_path, store):
    path = write(
        tmp_path / "products.csv",
        "code,name,unit,list price,currency,category,active\r\n"
        "MNT-01,Annual maintenance,year,12000,CNY,Service,yes\r\n"
        ",Installation,visit,1500,CNY,Service,\r\n"
        "OLD-9,Old controller,piece,2300,CNY,Hardware,retired\r\n",
    )
    batch, result = load(store, path)
    assert (result.created, result.updated, result.unchanged, batch.refusals) == (3, 0, 0, [])
    assert catalogue(store) == [
        ("MNT-01", "Annual maintenance", "year", 1_200_000, "CNY", "Service", 1),
        ("", "Installation", "visit", 150_000, "CNY", "Service", 1),
        ("OLD-9", "Old controller", "piece", 230_000, "CNY", "Hardware", 0),
    ]
    logged = changes(store)
    _, again = load(store, path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert changes(store) == logged  # nothing written at all
    # A new price (and a renamed product, found by its code; one found by name and unit).
    write(
        path,
        "SKU,Product,UoM,Price\r\n"
        'mnt-01,Annual maintenance contract,year,"13,000.00"\r\n'
        ",INSTALLATION,Visit,1600\r\n"
        "NEW-1,Spare parts,set,880\r\n",
    )
    _, third = load(store, path)
    assert (third.created, third.updated, third.unchanged) == (1, 2, 0)
    assert catalogue(store)[:2] == [
        ("MNT-01", "Annual maintenance contract", "year", 1_300_000, "CNY", "Service", 1),
        ("", "Installation", "visit", 160_000, "CNY", "Service", 1),
    ]
    assert catalogue(store)[3] == ("NEW-1", "Spare parts", "set", 88_000, store.setting("currency"), "", 1)


def test_a_code_given_later_goes_to_the_product_imported_without_one(tmp_path, store):
    load(store, write(tmp_path / "a.csv", "name,unit,price\r\nTraining day,day,3500\r\n"))
    _, result = load(
        store, write(tmp_path / "b.csv", "code,name,unit,price\r\nTR-03,Training day,day,3500\r\n")
    )
    assert (result.created, result.updated) == (0, 1)
    assert catalogue(store) == [("TR-03", "Training day", "day", 350_000, "USD", "", 1)]


def test_rows_of_one_product_in_one_file_are_merged(tmp_path, store):
    path = write(tmp_path / "p.csv", "code,name,price\r\nA-1,Cable,10\r\nA-1,Cable,12\r\n")
    _, result = load(store, path)
    assert (result.created, result.merged) == (1, 1)
    assert catalogue(store) == [("A-1", "Cable", "", 1200, "USD", "", 1)]
    assert "1 merged into an earlier row of the same product" in result.summary(0)


def test_bad_values_are_refused_with_their_row_and_column_and_nothing_of_the_row_is_written(tmp_path, store):
    path = write(
        tmp_path / "bad.csv",
        "名称,编码,单价,币种,状态\r\n"
        "维保合同,M-1,12.345,CNY,是\r\n"
        "备件,S-2,-5,CNY,是\r\n"
        "培训,T-3,100,yuan,是\r\n"
        "安装,I-4,100,CNY,也许\r\n"
        ",X-5,100,CNY,是\r\n"
        "好的,G-6,100,JPY,否\r\n",
    )
    batch, result = load(store, path)
    refusals = sorted(batch.refusals + result.refusals, key=lambda r: r.line)
    sentences = [refusal.sentence("bad.csv") for refusal in refusals]
    assert sentences == [
        "bad.csv line 2, column 单价: '12.345' has more decimals than CNY allows.",
        "bad.csv line 3, column 单价: '-5' is negative; an amount is zero or more.",
        "bad.csv line 4, column 币种: 'yuan' is not a currency code; use three letters such as USD, "
        "EUR or CNY.",
        "bad.csv line 5, column 状态: '也许' says neither active nor retired; write yes or no (是 or 否).",
        "bad.csv line 6, column 名称: the name is empty; every product needs a name.",
    ]
    assert catalogue(store) == [("G-6", "好的", "", 100, "JPY", "", 0)]


def test_a_dry_run_writes_nothing(tmp_path, store):
    path = write(tmp_path / "p.csv", "name,price\r\nCable,10\r\n")
    logged = changes(store)
    _, result = load(store, path, dry_run=True)
    assert result.created == 1
    assert (catalogue(store), changes(store)) == ([], logged)


def test_headers_under_a_title_and_unknown_columns_are_told(tmp_path, store):
    path = write(
        tmp_path / "p.csv",
        "价目表 2026\r\n\r\n品名,货号,计量单位,标准价,分类,库存\r\n电缆,C-1,米,2.5,配件,300\r\n",
    )
    batch, _ = load(store, path)
    assert batch.left_out == ["库存"]
    assert catalogue(store) == [("C-1", "电缆", "米", 250, "USD", "配件", 1)]


@pytest.mark.parametrize("name", ["products-zh.xlsx", "products-zh.ods"])
def test_a_workbook_saved_by_a_spreadsheet_imports_like_its_csv(store, name):
    path = FIXTURES / name
    batch = read_products_sheet(path, workbook_kind(path))
    result = import_products(store, batch.products)
    assert (result.created, batch.refusals, batch.left_out) == (5, [], ["备注"])
    assert catalogue(store) == [
        ("MNT-01", "年度维保合同", "年", 1_200_000, "CNY", "服务", 1),
        ("SP-02", "备件框架协议", "份", 880_000, "CNY", "备件", 1),
        ("TR-03", "现场培训", "天", 350_050, "CNY", "服务", 1),
        ("", "安装调试", "次", 150_000, "CNY", "服务", 1),
        ("OLD-9", "旧款控制器", "台", 230_000, "CNY", "硬件", 0),
    ]
    csv = read_products_csv(FIXTURES / "products-zh.csv")
    assert import_products(store, csv.products).unchanged == 5


def test_the_list_reads_one_page_at_a_time_and_finds_where_a_product_is(store):
    products = ProductStore(store)
    ids = [products.add(f"Cable {n:02d}", code=f"C-{n:02d}") for n in range(30)]
    products.add("Connector", code="X-1", category="Cables")
    products.retire(ids[5])
    assert products.count_matching() == 30
    assert products.count_matching(active_only=False) == 31
    page = products.search(limit=10, offset=10)
    assert [p.name for p in page] == [f"Cable {n:02d}" for n in range(11, 21)]
    assert products.search(limit=10, offset=40) == []
    assert products.count_matching("cable") == 30  # 29 names, and a category
    assert products.search("cable", limit=1)[0].name == "Cable 00"
    assert products.search("x", limit=1)[0].name == "Connector"  # a code that starts with it first
    assert products.position(ids[20]) == 19  # Cable 05 is retired, so not listed
    assert products.position(ids[5]) is None
    assert products.position(ids[5], active_only=False) == 5
    assert products.position(ids[20], "nothing like it") is None


def test_an_imported_catalogue_and_a_teammates_price_change_reach_every_copy(tmp_path):
    from datetime import timedelta

    from tests.sync.conftest import Device

    ann, bob = Device(tmp_path, "ann"), Device(tmp_path, "bob", timedelta(minutes=-5))
    batch = read_products_csv(FIXTURES / "products-zh.csv")
    import_products(ann.store, batch.products)
    bob.merge_from(ann)
    assert catalogue(bob.store) == catalogue(ann.store)
    spares = ProductStore(bob.store).by_code("SP-02")
    bob.clock.advance(minutes=30)
    ProductStore(bob.store).update(spares.id, {"price": 920_000})
    ann.clock.advance(minutes=1)
    ProductStore(ann.store).retire(ProductStore(ann.store).by_code("TR-03").id)
    ann.merge_from(bob)
    bob.merge_from(ann)
    assert ann.digest() == bob.digest()
    assert ProductStore(ann.store).by_code("SP-02").price == 920_000
    assert not ProductStore(bob.store).by_code("TR-03").active
    # Importing the same file on the other copy adds nothing: the rows match what arrived.
    again = import_products(bob.store, read_products_csv(FIXTURES / "products-zh.csv").products)
    assert (again.created, again.updated) == (0, 2)  # its own price and active, back as the file says
    ann.store.close()
    bob.store.close()
