"""Column headers as spreadsheets name them: in English and Chinese, and the common
German, French, Spanish, Italian, Portuguese and Japanese names of the main columns.

Headers are compared case-insensitively, ignoring spaces and punctuation, so
'E-mail', 'email' and 'E Mail' are one column, and 'Full Name' is 'fullname'.
"""

import re
import unicodedata

from salesdesk import i18n

# The customer field each header means. `tags`, `id` and the name parts are not
# customer columns: tags become tag links, an id (from a salesdesk export) is matched
# first, and first and last names make the name when there is no name column
# (Google Contacts and Outlook export them so).
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "salesdesk id", "salesdesk 编号"),
    "name": (
        "name",
        "full name",
        "contact name",
        "display name",
        "姓名",
        "名字",
        "联系人",
        "nom",
        "nombre",
        "nome",
    ),
    "first_name": ("first name", "given name", "名"),
    "middle_name": ("middle name", "additional name"),
    "last_name": ("last name", "family name", "surname", "姓"),
    "company": (
        "company",
        "company name",
        "organization",
        "organisation",
        "公司",
        "公司名称",
        "单位",
        "firma",
        "unternehmen",
        "société",
        "entreprise",
        "empresa",
        "azienda",
    ),
    "title": ("title", "job title", "position", "profession", "职位", "职务"),
    "phone": (
        "phone",
        "mobile",
        "phone number",
        "mobile phone",
        "mobile number",
        "cell",
        "cell phone",
        "telephone",
        "tel",
        "电话",
        "手机",
        "手机号",
        "手机号码",
        "电话号码",
        "联系电话",
        "telefon",
        "handy",
        "mobil",
        "téléphone",
        "portable",
        "teléfono",
        "móvil",
        "telefono",
    ),
    "email": (
        "email",
        "e-mail",
        "email address",
        "e-mail address",
        "mail",
        "邮箱",
        "电子邮件",
        "电子邮箱",
        "邮件",
        "courriel",
        "correo",
        "correo electrónico",
    ),
    "handle": ("handle", "other contact", "wechat", "微信", "微信号"),
    "industry": ("industry", "行业"),
    "tags": ("tags", "tag", "labels", "标签"),
    "birthday": (
        "birthday",
        "date of birth",
        "birth date",
        "dob",
        "生日",
        "出生日期",
        "geburtstag",
        "geburtsdatum",
        "anniversaire",
        "date de naissance",
        "cumpleaños",
        "fecha de nacimiento",
        "compleanno",
    ),
    "lunar_birthday": ("lunar birthday", "农历生日"),
    "contract_end": (
        "contract end",
        "contract end date",
        "contract expiry",
        "合同到期",
        "合同到期日",
        "合同截止",
    ),
    "source": ("source", "lead source", "来源", "客户来源"),
    "owner": ("owner", "负责人"),
    "notes": ("notes", "note", "remarks", "comments", "备注", "notizen", "bemerkungen", "remarques", "notas"),
}

# The usual headers of address books and spreadsheets in other languages; the
# language whose headers a file uses is named when it is read.
LANGUAGES: dict[str, dict[str, tuple[str, ...]]] = {
    "German": {
        "first_name": ("vorname",),
        "last_name": ("nachname", "familienname"),
        "company": ("firma", "unternehmen", "organisation"),
        "title": ("position", "berufsbezeichnung", "funktion"),
        "email": ("e-mail-adresse", "e-mail adresse", "e-mail-adresse 1"),
        "phone": ("telefon", "mobiltelefon", "handy", "mobil", "telefon geschäftlich", "telefon privat"),
        "birthday": ("geburtstag", "geburtsdatum"),
        "tags": ("kategorien", "kategorie", "schlagwörter"),
        "notes": ("notizen", "bemerkungen", "notiz"),
    },
    "French": {
        "first_name": ("prénom",),
        "last_name": ("nom de famille",),
        "company": ("société", "entreprise", "organisation"),
        "title": ("fonction", "poste", "titre du poste"),
        "email": ("courriel", "adresse e-mail", "adresse de messagerie", "adresse électronique"),
        "phone": ("téléphone", "portable", "téléphone portable", "téléphone mobile", "téléphone bureau"),
        "birthday": ("anniversaire", "date de naissance"),
        "tags": ("catégories", "étiquettes", "libellés"),
        "notes": ("remarques", "commentaires"),
    },
    "Spanish": {
        "last_name": ("apellido", "apellidos", "primer apellido"),
        "name": ("nombre completo",),
        "company": ("empresa", "compañía", "organización"),
        "title": ("cargo", "puesto"),
        "email": ("correo", "correo electrónico", "dirección de correo electrónico"),
        "phone": ("teléfono", "móvil", "celular", "teléfono móvil", "teléfono del trabajo"),
        "birthday": ("cumpleaños", "fecha de nacimiento"),
        "tags": ("etiquetas", "categorías"),
        "notes": ("notas",),
    },
    "Italian": {
        "last_name": ("cognome",),
        "name": ("nome completo",),
        "company": ("azienda", "società", "ditta"),
        "title": ("qualifica", "ruolo", "posizione"),
        "email": ("indirizzo email", "indirizzo e-mail", "posta elettronica"),
        "phone": ("telefono", "cellulare", "telefono cellulare", "telefono ufficio"),
        "birthday": ("compleanno", "data di nascita"),
        "tags": ("etichette", "categorie"),
        "notes": ("note",),
    },
    "Portuguese": {
        "last_name": ("sobrenome", "apelido", "último nome"),
        "company": ("empresa", "organização"),
        "title": ("cargo", "função"),
        "email": ("e-mail", "endereço de e-mail", "correio eletrónico"),
        "phone": ("telefone", "celular", "telemóvel", "telefone celular", "telefone comercial"),
        "birthday": ("aniversário", "data de nascimento"),
        "tags": ("marcadores", "etiquetas"),
        "notes": ("observações", "notas"),
    },
    "Japanese": {
        "first_name": ("名",),
        "last_name": ("姓",),
        "name": ("氏名", "名前", "フルネーム"),
        "company": ("会社名", "会社", "勤務先"),
        "title": ("役職", "肩書き"),
        "email": ("メールアドレス", "メール", "eメール", "電子メール"),
        "phone": ("電話番号", "携帯電話", "携帯", "電話", "携帯番号"),
        "birthday": ("誕生日", "生年月日"),
        "tags": ("ラベル", "タグ", "グループ"),
        "notes": ("メモ", "備考"),
    },
    "Chinese": {
        "first_name": ("名",),
        "last_name": ("姓",),
        "name": ("姓名", "名字", "联系人"),
        "company": ("公司", "公司名称", "单位"),
        "title": ("职位", "职务"),
        "email": ("邮箱", "电子邮件", "电子邮箱", "邮件"),
        "phone": ("手机", "手机号", "手机号码", "电话", "电话号码", "联系电话"),
        "birthday": ("生日", "出生日期"),
        "tags": ("标签",),
        "notes": ("备注",),
    },
}

# Words that are a whole name alone but one part of it beside the other part:
# French 'Nom' is the family name beside 'Prénom'; Spanish 'Nombre', Italian and
# Portuguese 'Nome' are the given name beside 'Apellido', 'Cognome' or 'Sobrenome'.
FAMILY_BESIDE_GIVEN = ("nom",)
GIVEN_BESIDE_FAMILY = ("nombre", "nome")

# How each field is named in messages and in salesdesk's own exports.
LABELS = {field: names[0] for field, names in ALIASES.items() if field != "middle_name"}
# The headers of a customers export written in Chinese: aliases above, so that the file
# imports back to the same customers (a translation could name a field in words the
# importer does not read).
CHINESE_LABELS = {
    "id": "salesdesk 编号",
    "name": "姓名",
    "first_name": "名",
    "last_name": "姓",
    "company": "公司",
    "title": "职位",
    "phone": "手机",
    "email": "邮箱",
    "handle": "微信",
    "industry": "行业",
    "tags": "标签",
    "birthday": "生日",
    "lunar_birthday": "农历生日",
    "contract_end": "合同到期",
    "source": "来源",
    "owner": "负责人",
    "notes": "备注",
}


def export_label(field: str) -> str:
    """The header of a customer field in an export, in the language shown."""
    return CHINESE_LABELS[field] if i18n.language() == i18n.CHINESE else LABELS[field]


def header_key(header: str) -> str:
    """'E-mail ' -> 'email'; full-width letters and case folded, punctuation and spaces dropped."""
    text = unicodedata.normalize("NFKC", header).casefold()
    return "".join(ch for ch in text if ch.isalnum())


_FIELD_OF = {header_key(name): field for field, names in ALIASES.items() for name in names}
_LANGUAGE_FIELD_OF = {
    language: {header_key(name): field for field, names in table.items() for name in names}
    for language, table in LANGUAGES.items()
}
_KANA = re.compile(r"[\u3040-\u30ff]")


def field_of(header: str) -> str | None:
    """The customer field a header names, or None for a column salesdesk does not know."""
    key = header_key(header)
    if key in _FIELD_OF:
        return _FIELD_OF[key]
    for table in _LANGUAGE_FIELD_OF.values():
        if key in table:
            return table[key]
    return None


def language_of(headers: list[str]) -> str:
    """The language whose own header words the file uses most, or '' for English ones."""
    counts: dict[str, int] = {}
    for header in headers:
        key = header_key(header)
        for language, table in _LANGUAGE_FIELD_OF.items():
            if key in table and key not in _FIELD_OF:
                counts[language] = (
                    counts.get(language, 0) + 1 + (language == "Japanese" and bool(_KANA.search(header)))
                )
    if not counts:
        return ""
    return max(counts, key=lambda language: counts[language])


def map_headers(headers: list[str]) -> list[str | None]:
    """The field of each column; a second column for a field already taken maps to None."""
    fields = [field_of(header) for header in headers]
    keys = [header_key(header) for header in headers]
    for index, key in enumerate(keys):
        if key in FAMILY_BESIDE_GIVEN and "first_name" in fields:
            fields[index] = "last_name"
        elif key in GIVEN_BESIDE_FAMILY and "last_name" in fields:
            fields[index] = "first_name"
    taken: set[str] = set()
    for index, field in enumerate(fields):
        if field in taken:
            fields[index] = None
        elif field:
            taken.add(field)
    return fields
