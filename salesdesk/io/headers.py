"""Column headers as spreadsheets name them: in English and Chinese, and the common
German, French, Spanish and Italian names of the main columns.

Headers are compared case-insensitively, ignoring spaces and punctuation, so
'E-mail', 'email' and 'E Mail' are one column, and 'Full Name' is 'fullname'.
"""

import unicodedata

# The customer field each header means. `tags`, `id` and the name parts are not
# customer columns: tags become tag links, an id (from a salesdesk export) is matched
# first, and first and last names make the name when there is no name column
# (Google Contacts and Outlook export them so).
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "salesdesk id"),
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
    "title": ("title", "job title", "position", "职位", "职务"),
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

# How each field is named in messages and in salesdesk's own exports.
LABELS = {field: names[0] for field, names in ALIASES.items()}


def header_key(header: str) -> str:
    """'E-mail ' -> 'email'; full-width letters and case folded, punctuation and spaces dropped."""
    text = unicodedata.normalize("NFKC", header).casefold()
    return "".join(ch for ch in text if ch.isalnum())


_FIELD_OF = {header_key(name): field for field, names in ALIASES.items() for name in names}


def field_of(header: str) -> str | None:
    """The customer field a header names, or None for a column salesdesk does not know."""
    return _FIELD_OF.get(header_key(header))


def map_headers(headers: list[str]) -> list[str | None]:
    """The field of each column; a second column for a field already taken maps to None."""
    taken: set[str] = set()
    fields: list[str | None] = []
    for header in headers:
        field = field_of(header)
        if field in taken:
            field = None
        if field:
            taken.add(field)
        fields.append(field)
    return fields
