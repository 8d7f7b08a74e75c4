"""Matching imported rows with the customers we have: update, never duplicate."""

import json

import pytest

from salesdesk.core.incoming import IncomingCustomer
from salesdesk.store.importer import import_customers
from tests.io.helpers import change_count, customers, run_import, write

FILE = (
    "name,company,phone,email,tags,birthday,notes,Region\r\n"
    "张伟,恒达贸易,138 0013 8000,zhang@example.cn,VIP、北京,1985-03-15,likes tea,North\r\n"
    "Ada Lovelace,,+1 (415) 555-0100,,math,,,\r\n"
    "Nobody Special,Acme,,,,,,\r\n"
)


def test_a_second_import_changes_nothing(tmp_path, store, clock):
    path = write(tmp_path / "f.csv", FILE)
    _, first = run_import(store, path)
    assert (first.created, first.updated, first.unchanged) == (3, 0, 0)
    before = change_count(store)
    snapshot = customers(store)
    clock.advance(days=1)
    _, second = run_import(store, path)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 3)
    assert change_count(store) == before
    assert customers(store) == snapshot


def test_import_writes_change_log_entries_with_whole_records(tmp_path, store):
    run_import(store, write(tmp_path / "f.csv", FILE))
    [row] = [c for c in customers(store) if c["name"] == "张伟"]
    [(data,)] = store.db.execute(
        "SELECT data FROM changes WHERE tbl = 'customers' AND row_id = ?", [row["id"]]
    ).fetchall()
    logged = json.loads(data)
    assert {k: logged[k] for k in ("name", "phone", "phone_key", "version", "notes")} == {
        "name": "张伟",
        "phone": "138 0013 8000",
        "phone_key": "13800138000",
        "version": 1,
        "notes": "likes tea\nRegion: North",
    }
    links = store.db.execute("SELECT count(*) FROM changes WHERE tbl = 'customer_tags'").fetchone()[0]
    assert links == 3
    clocks = [
        c
        for (c,) in store.db.execute(
            "SELECT clock FROM changes WHERE device = ? ORDER BY seq", [store.device]
        )
    ]
    assert clocks == sorted(clocks) and len(set(clocks)) == len(clocks)


@pytest.mark.parametrize(
    "phone", ["+86 138-0013-8000", "13800138000", "+8613800138000", "0086 138 0013 8000"]
)
def test_a_row_matches_by_normalised_phone(tmp_path, store, phone):
    existing = store.add_customer("张伟", phone="138 0013 8000")
    path = write(tmp_path / "f.csv", f"name,phone,company\r\nZhang Wei,{phone},恒达贸易\r\n")
    _, result = run_import(store, path)
    assert (result.created, result.updated) == (0, 1)
    customer = store.customer(existing)
    assert (customer.name, customer.phone, customer.company) == ("张伟", "138 0013 8000", "恒达贸易")


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("(415) 555-0100", "+1 415 555 0100"),  # a 10-digit US number, also valid read as Chinese
        ("020 7946 0666", "+44 20 7946 0666"),  # needs the region: GB
    ],
)
def test_national_numbers_match_their_international_form(tmp_path, store, typed, stored):
    existing = store.add_customer("Ada", phone=stored)
    path = write(tmp_path / "f.csv", f"name,phone,title\r\nAda L.,{typed},Countess\r\n")
    _, result = run_import(store, path, region="GB" if typed.startswith("020") else None)
    assert result.created == 0
    assert store.customer(existing).title == "Countess"


def test_colleagues_sharing_an_office_number_stay_two_customers(tmp_path, store):
    path = write(
        tmp_path / "f.csv",
        "name,phone,email\r\n"
        "Ada,+44 20 7946 0000,ada@example.com\r\n"
        "Bob,+44 20 7946 0000,bob@example.com\r\n"
        "Reception,+44 20 7946 0000,\r\n",
    )
    _, result = run_import(store, path)
    assert (result.created, result.merged) == (2, 1)
    assert [c["name"] for c in customers(store)] == ["Ada", "Bob"]
    _, again = run_import(store, path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_a_row_matches_by_email_in_any_case(tmp_path, store):
    existing = store.add_customer("Ada", email="Ada@Example.com")
    _, result = run_import(store, write(tmp_path / "f.csv", "name,email\r\nADA,ada@example.COM\r\n"))
    assert (result.created, result.unchanged) == (0, 1)
    assert store.customer(existing).name == "Ada"


def test_different_numbers_do_not_match(tmp_path, store):
    store.add_customer("Ada", phone="+86 138 0013 8000")
    _, result = run_import(store, write(tmp_path / "f.csv", "name,phone\r\nBob,+86 139 0013 8000\r\n"))
    assert result.created == 1


def test_a_match_fills_empty_fields_adds_tags_and_appends_notes_only(tmp_path, store):
    existing = store.add_customer(
        "Ada", email="ada@example.com", company="Analytical", notes="first met in London"
    )
    store.add_tag(existing, "vip")
    path = write(
        tmp_path / "f.csv",
        "name,email,company,title,tags,notes,Fax\r\n"
        "Ada Byron,ADA@example.com,Other Co,Countess,VIP;math,"
        "first met in London,123\r\n",
    )
    _, result = run_import(store, path)
    assert result.updated == 1
    customer = store.customer(existing)
    assert (customer.name, customer.company, customer.title) == ("Ada", "Analytical", "Countess")
    assert (
        customer.notes == "first met in London\nFax: 123\nFrom f.csv line 2: name Ada Byron; company Other Co"
    )
    assert store.tags_of(existing) == ["math", "vip"]
    _, again = run_import(store, path)
    assert (again.updated, again.unchanged) == (0, 1)


def test_a_removed_tag_comes_back_on_import(tmp_path, store):
    existing = store.add_customer("Ada", email="ada@example.com")
    store.add_tag(existing, "vip")
    store.remove_tag(existing, "vip")
    run_import(store, write(tmp_path / "f.csv", "name,email,tags\r\nAda,ada@example.com,vip\r\n"))
    assert store.tags_of(existing) == ["vip"]


def test_rows_without_email_or_phone_match_by_name_and_company(tmp_path, store):
    path = write(tmp_path / "f.csv", "name,company\r\nNobody,Acme\r\nNobody,Other\r\n")
    run_import(store, path)
    _, result = run_import(store, path)
    assert (result.created, result.unchanged) == (0, 2)
    assert len(customers(store)) == 2


def test_rows_of_one_customer_in_one_file_are_merged(tmp_path, store):
    path = write(
        tmp_path / "f.csv",
        "name,email,phone,tags,notes\r\n"
        "Ada,ada@example.com,,a,one\r\n"
        "Ada L,ADA@example.com,555 0100 77,b,two\r\n"
        "Ada,,555 0100 77,a,one\r\n",
    )
    _, result = run_import(store, path)
    assert (result.created, result.merged) == (1, 2)
    [row] = customers(store)
    assert (row["name"], row["phone"], row["notes"]) == (
        "Ada",
        "555 0100 77",
        "one\ntwo\nFrom f.csv line 3: name Ada L",
    )
    assert store.tags_of(row["id"]) == ["a", "b"]
    _, again = run_import(store, path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_an_id_from_a_salesdesk_export_matches_first(tmp_path, store):
    existing = store.add_customer("Ada", email="ada@example.com")
    other = store.add_customer("Bob", email="bob@example.com")
    path = write(tmp_path / "f.csv", f"id,name,email,title\r\n{existing},Ada,bob@example.com,Boss\r\n")
    run_import(store, path)
    assert store.customer(existing).title == "Boss"
    assert store.customer(other).title == ""


def test_dry_run_saves_nothing_but_counts_the_same(tmp_path, store):
    path = write(tmp_path / "f.csv", FILE)
    before = change_count(store)
    _, dry = run_import(store, path, dry_run=True)
    assert (dry.created, dry.dry_run) == (3, True)
    assert customers(store) == [] and change_count(store) == before
    assert (
        store.db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'customers_ai'").fetchone()[0] == 1
    )
    _, real = run_import(store, path)
    assert real.created == 3


def test_imported_customers_are_found_by_search(tmp_path, store):
    run_import(store, write(tmp_path / "f.csv", FILE))
    found = store.db.execute(
        "SELECT name FROM customers_fts WHERE customers_fts MATCH ?", ['"恒达贸"']
    ).fetchall()
    assert found == [("张伟",)]
    assert (
        store.db.execute("INSERT INTO customers_fts(customers_fts) VALUES ('integrity-check')").fetchall()
        == []
    )
    # the full-text trigger is back: a customer added later is indexed too
    store.add_customer("Later", company="恒达贸易二厂")
    assert (
        len(
            store.db.execute(
                "SELECT rowid FROM customers_fts WHERE customers_fts MATCH ?", ['"恒达贸"']
            ).fetchall()
        )
        == 2
    )


def test_the_store_refuses_what_its_own_rules_refuse(store):
    incoming = [
        IncomingCustomer(2, {"name": "Ada", "birthday": "1980-02-30"}),
        IncomingCustomer(3, {"name": "Bob"}),
    ]
    result = import_customers(store, incoming)
    [refusal] = result.refusals
    assert (refusal.line, refusal.column) == (2, "birthday")
    assert "not a real date" in refusal.reason
    assert [c["name"] for c in customers(store)] == ["Bob"]


def test_progress_is_reported(store):
    seen = []
    incoming = [IncomingCustomer(i + 2, {"name": f"C{i}"}) for i in range(2500)]
    import_customers(store, incoming, progress=lambda stage, done: seen.append((stage, done)))
    assert seen == [("matching", 1000), ("matching", 2000), ("saving", 2500)]


def test_owner_defaults_to_the_importing_user(tmp_path, store):
    run_import(store, write(tmp_path / "f.csv", "name,owner\r\nAda,\r\nBob,carl\r\n"))
    assert [c["owner"] for c in customers(store)] == ["ann", "carl"]


def test_the_store_keeps_a_birthday_without_a_year(store):
    customer_id = store.add_customer("Ada", birthday="--0315")
    assert store.customer(customer_id).birthday == "--03-15"


def test_in_chinese_the_kept_note_reads_in_chinese_and_is_kept_once(tmp_path, store):
    from salesdesk import i18n

    existing = store.add_customer("张伟", email="zhang@example.cn", company="恒达贸易", phone="138 0013 8000")
    path = write(
        tmp_path / "f.csv", "姓名,邮箱,公司,手机\r\n张伟,zhang@example.cn,华光科技,139 1234 5678\r\n"
    )
    i18n.set_language("zh")
    _, result = run_import(store, path)
    assert result.kept == 1
    assert store.customer(existing).notes == "来自 f.csv 第 2 行：电话 139 1234 5678；公司 华光科技"
    _, again = run_import(store, path)
    assert (again.updated, again.unchanged, again.kept) == (0, 1, 0)


def test_values_kept_in_english_are_not_kept_again_by_an_import_in_chinese(tmp_path, store):
    from salesdesk import i18n

    existing = store.add_customer("Ada", email="ada@example.com", company="Analytical")
    path = write(tmp_path / "f.csv", "name,email,company\r\nAda,ada@example.com,Other Co\r\n")
    run_import(store, path)
    assert store.customer(existing).notes == "From f.csv line 2: company Other Co"
    i18n.set_language("zh")
    _, again = run_import(store, path)
    assert (again.updated, again.unchanged) == (0, 1)
    assert store.customer(existing).notes == "From f.csv line 2: company Other Co"


def test_with_update_in_chinese_the_replaced_values_are_noted_in_chinese(tmp_path, store):
    from salesdesk import i18n

    existing = store.add_customer("Ada", email="ada@example.com", company="Analytical")
    path = write(tmp_path / "f.csv", "name,email,company\r\nAda,ada@example.com,Other Co\r\n")
    i18n.set_language("zh")
    run_import(store, path, update=True)
    customer = store.customer(existing)
    assert (customer.company, customer.notes) == ("Other Co", "f.csv 第 2 行导入前：公司 Analytical")
