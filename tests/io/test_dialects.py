"""The real exports in tests/fixtures/contacts/: each read by its dialect, imported, and
imported again without a change."""

from pathlib import Path

import pytest

from salesdesk.io.dialects import google_tags, phone_rank, plan_columns
from tests.io.helpers import change_count, customers, run_import
from tests.test_cli import run

FIXTURES = Path(__file__).parent.parent / "fixtures" / "contacts"
FIELDS = ("company", "title", "phone", "email", "birthday")


def _by_name(store) -> dict[str, dict]:
    found = {}
    for customer in customers(store):
        found[customer["name"]] = {k: customer[k] for k in FIELDS} | {
            "tags": store.tags_of(customer["id"]),
            "notes": customer["notes"],
        }
    return found


def _person(company="", title="", phone="", email="", birthday=None, tags=(), notes=""):
    return {
        "company": company,
        "title": title,
        "phone": phone,
        "email": email,
        "birthday": birthday,
        "tags": list(tags),
        "notes": notes,
    }


EXPECTED = {
    "google-contacts.csv": (
        "Google Contacts CSV",
        3,
        {
            "Ada King Lovelace": _person(
                "Analytical Engines Ltd",
                "Engineer",
                "+44 7700 900123",
                "ada@engines.example",
                "1815-12-10",
                ["Customers", "starred"],
                "Met at the expo, wants a quote\nOrganization Department: Research\n"
                "E-mail 2 (Home): ada@home.example\nPhone 1 (Home): +44 20 7946 0200\n"
                "Phone 1 (Home): +44 20 7946 0201\nAddress 1 (Work): 12 Bridge St\nLondon SW1A 1AA\n"
                "United Kingdom\nWebsite 1 (Profile): https://engines.example/ada",
            ),
            "张伟": _person(
                "恒达贸易", "采购经理", "+86 10 6552 9988", "zhang.wei@example.cn", "--03-15", ["重要客户"]
            ),
            "Grace Hopper": _person(
                phone="+1 202 555 0199", tags=["Suppliers"], notes="Phone 1 (Work Fax): +1 202 555 0147"
            ),
        },
    ),
    "google-contacts-older.csv": (
        "Google Contacts CSV (older layout)",
        2,
        {
            "Kim Lee": _person(
                "Lee Homes",
                "Owner",
                "+1 617 555 0123",
                "kim@leehomes.example",
                "1985-03-15",
                ["Starred", "Suppliers"],
                "Prefers email, calls after 3pm.\nE-mail 1 (Work): kim.lee@mail.example\n"
                "E-mail 2 (Home): kimlee@home.example\nPhone 1 (Home): +1 617 555 0100\n"
                "Address 1 (Home): 9 Oak Ave\nBoston, MA 02101\nOrganization 1 - Department: Sales",
            ),
            "Luis Ortega": _person("Ortega y Hijos", phone="+34 91 555 0142"),
        },
    ),
    "outlook-contacts.csv": (
        "Outlook CSV",
        2,
        {
            "Joan Clarke": _person(
                "Hut Eight Consulting",
                "Head of Research",
                "+44 7700 900456",
                "joan.clarke@hut8.example",
                "1917-06-24",
                ["Customers", "VIP"],
                "Renewal talks in spring.\nTitle: Ms.\nDepartment: Cryptanalysis\n"
                "Business Street: Bletchley Park\nBusiness City: Milton Keynes\n"
                "Business Postal Code: MK3 6EB\nBusiness Country/Region: United Kingdom\n"
                "Business Phone: +44 1908 640404\nHome Phone: +44 1908 555 010\n"
                "E-mail 2 Address: joan@home.example",
            ),
            "Alan Turing": _person(
                "Hut Eight Consulting",
                phone="+44 1908 640405",
                email="alan@hut8.example",
                tags=["Suppliers"],
                notes="Title: Mr.",
            ),
        },
    ),
    "outlook-shared-contacts.csv": (
        "Outlook CSV",
        3,
        {
            "Adam Glacius": _person(
                "Acme Inc.",
                "Sales Planner",
                "+1 555 3227 8544",
                "adam.glacius@anycom.com",
                notes="Has 2 kids\nAction: add\nE-mail 2 Address: adam.g@example.com\n"
                "E-mail 3 Address: ag@glacius.com\nPager: +1 555 3227 8543\n"
                "Home Phone: +1 555 3227 8545\nHome Phone 2: +1 555 3227 8546\n"
                "Home Fax: +1 555 3227 8546\nHome Address: 999 Super Way, Super, CA, 94043\n"
                "Business Phone: +1 555 3227 8547\nBusiness Phone 2: +1 555 3227 8548\n"
                "Business Fax: +1 555 3227 8549\nBusiness Address: 8999 Corporate Way",
            ),
            "Daniel Ireland": _person(
                title="Receptionist",
                phone="+1 555 3227 8543",
                email="danielireland@restty.com",
                notes="Action: delete\nID: 241a444f0b330b22",  # another program's id, not ours
            ),
        },
    ),
    "thunderbird-full.csv": (
        "Thunderbird CSV",
        1,
        {
            "Displayname": _person(
                "Organization",
                "title",
                "mobile",
                "test@domain.tld",
                "1970-11-15",
                notes="Nickname: Nick\nSecondary Email: next@domain.tld\nWork Phone: phone work\n"
                "Home Phone: phone home\nFax Number: fax\nPager Number: pager\nHome Address: Priv address\n"
                "Home City: City\nHome State: region\nHome ZipCode: xx-xxx\nHome Country: USA\n"
                "Work Address: Addr work\nWork City: city\nWork State: region\nWork ZipCode: 33-333\n"
                "Work Country: Poland\nDepartment: department\nWeb Page 1: http://page.com\n"
                "Web Page 2: http://webpage.tld",
            )
        },
    ),
    "thunderbird-basic.csv": (
        "Thunderbird CSV",
        2,
        {"John Doe": _person(email="john@doe.invalid"), "Jane Doe": _person(email="jane@doe.invalid")},
    ),
    "contacts-de.csv": (
        "German headers",
        2,
        {
            "Jürgen Müller": _person(
                "Größe AG",
                "Einkaufsleiter",
                "+49 151 2345678",
                "jm@groesse.example",
                "1970-03-15",
                ["Kunde"],
                "Bevorzugt Anrufe am Vormittag\nTelefon geschäftlich: +49 30 1234567",
            ),
            "Lieselotte Weiß": _person(
                "Weiß & Söhne KG",
                phone="+49 89 7654321",
                email="lw@weiss.example",
                tags=["Lieferant"],
            ),
        },
    ),
    "contacts-fr.csv": (
        "French headers",
        1,
        {
            "Zoë Çelik": _person(
                "Crème S.à r.l.",
                "Directrice des achats",
                "+33 6 12 34 56 78",
                "zoe@creme.example",
                "1980-06-24",
                ["Client"],
                "Préfère le courriel",
            )
        },
    ),
    "contacts-es.csv": (
        "Spanish headers",
        1,
        {
            "José García Pérez": _person(
                "Construcciones Ibéricas",
                "Jefe de compras",
                "+34 612 345 678",
                "jose@iberica.example",
                "1975-11-02",
                ["Cliente"],
            )
        },
    ),
    "contacts-it.csv": (
        "Italian headers",
        1,
        {
            "Lucia Bianchi": _person(
                "Tessuti Bianchi S.p.A.",
                "Responsabile acquisti",
                "+39 347 123 4567",
                "lucia@tessuti.example",
                "1982-07-19",
                ["Cliente"],
            )
        },
    ),
    "contacts-pt.csv": (
        "Portuguese headers",
        1,
        {
            "João Conceição": _person(
                "Cafés do Brasil Ltda.",
                "Gerente de compras",
                "+55 11 91234-5678",
                "joao@cafes.example",
                "1979-04-30",
                ["Cliente"],
                "Prefere WhatsApp",
            )
        },
    ),
    "contacts-ja.csv": (
        "Japanese headers",
        1,
        {
            "山田太郎": _person(
                "山田商事株式会社",
                "部長",
                "090-1234-5678",
                "taro@yamada.example",
                "1970-01-15",
                notes="展示会で名刺交換\n部署: 営業部\n電話番号: 03-1234-5678",
            )
        },
    ),
    "contacts-zh.csv": (
        "",  # salesdesk's own headers: nothing to recognise
        1,
        {
            "王芳": _person(
                "华光科技",
                "采购主管",
                "139 1234 5678",
                "wang.fang@huaguang.example",
                "1988-08-08",
                ["上海", "重要客户"],
            )
        },
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_real_export_imports_whole_and_again_unchanged(store, name):
    dialect, rows, people = EXPECTED[name]
    batch, result = run_import(store, FIXTURES / name)
    assert (batch.dialect, batch.rows, batch.refusals) == (dialect, rows, [])
    assert (result.created, result.refusals) == (rows, [])
    found = _by_name(store)
    for person, expected in people.items():
        assert found[person] == expected, person
    changes = change_count(store)
    again, second = run_import(store, FIXTURES / name)
    assert (second.created, second.updated, second.unchanged) == (0, 0, rows)
    assert change_count(store) == changes
    assert _by_name(store) == found


def test_thunderbirds_own_export_test_file_is_refused_for_its_addresses(store):
    """Thunderbird's test data uses 'contact1@invalid', which is no address to write to."""
    batch, result = run_import(store, FIXTURES / "thunderbird-export.csv")
    assert batch.dialect == "Thunderbird CSV"
    assert [(r.line, r.column, r.value) for r in batch.refusals] == [
        (2, "column Primary Email", "contact1@invalid"),
        (3, "column Primary Email", "contact2@invalid"),
    ]
    assert result.created == 0 and customers(store) == []


def test_thunderbird_birthday_without_a_year_and_a_wrong_day(tmp_path, store):
    header = "First Name,Last Name,Primary Email,Birth Year,Birth Month,Birth Day\n"
    path = tmp_path / "tb.csv"
    path.write_text(header + "Ann,Lee,ann@x.example,,2,29\nBo,Ma,bo@x.example,2001,2,30\n", encoding="utf-8")
    batch, result = run_import(store, path)
    assert [c["birthday"] for c in customers(store)] == ["--02-29"]
    (refusal,) = batch.refusals
    assert (refusal.line, refusal.column, refusal.value) == (3, "column Birth Day", "30")
    assert "'2001-02-30' is not a real date" in refusal.reason


def test_google_labels_become_tags_without_its_own_groups():
    assert google_tags("* myContacts ::: Customers ::: * starred") == ["Customers", "starred"]
    assert google_tags("* My Contacts") == []


def test_phones_are_ranked_mobile_then_work_then_home_then_fax():
    ranks = [
        phone_rank(label) for label in ("Mobile Phone", "Business Phone", "Other", "Home Phone", "Home Fax")
    ]
    assert ranks == [0, 1, 2, 3, 4]


def test_nom_is_the_family_name_beside_prenom_and_the_whole_name_alone():
    beside = plan_columns(["Prénom", "Nom"]).columns
    alone = plan_columns(["Nom", "Courriel"]).columns
    assert [c.field for c in beside] == ["first_name", "last_name"]
    assert alone[0].field == "name"


def test_the_import_says_which_dialect_it_recognised(tmp_path):
    result = run(
        "--db", str(tmp_path / "t.db"), "import", "customers", str(FIXTURES / "outlook-contacts.csv")
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Reading ") and lines[1] == "Recognised Outlook CSV."
