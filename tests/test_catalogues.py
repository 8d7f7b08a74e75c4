"""The catalogues hold every marked string, translated, and the package ships them compiled.

When this fails after a change: `sh scripts/catalogues`, translate what is new in
salesdesk/locale/*/LC_MESSAGES/salesdesk.po, and run it again (CONTRIBUTING.md).
"""

import gettext
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import salesdesk
from salesdesk.i18n import CATALOGUES, DOMAIN, LOCALE_DIR

PACKAGE = Path(salesdesk.__file__).parent
ROOT = PACKAGE.parent
KEYWORDS = {"_": None, "ngettext": (1, 2), "N_": None, "pgettext": ((1, "c"), 2)}


def marked() -> set[str]:
    """Every msgid marked in the code, extracted as scripts/catalogues extracts it."""
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        PACKAGE, method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def catalogue(locale: str):
    with open(LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po", "rb") as handle:
        return read_po(handle, locale=locale)


@pytest.mark.parametrize("locale", sorted(CATALOGUES.values()))
def test_every_marked_string_is_in_the_catalogue_and_nothing_else(locale):
    held = {message.id if isinstance(message.id, str) else message.id[0] for message in catalogue(locale)}
    held.discard("")
    code = marked()
    assert sorted(code - held) == [], "marked in the code, missing from the catalogue"
    assert sorted(held - code) == [], "in the catalogue, no longer in the code"


@pytest.mark.parametrize("locale", sorted(CATALOGUES.values()))
def test_every_message_is_translated_and_none_is_fuzzy(locale):
    untranslated, fuzzy = [], []
    for message in catalogue(locale):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            untranslated.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("locale", sorted(CATALOGUES.values()))
def test_the_translation_keeps_every_placeholder(locale):
    import re

    field = re.compile(r"\{[a-z_]*\}")
    wrong = []
    for message in catalogue(locale):
        if not message.id:
            continue
        source = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            if sorted(field.findall(string)) != sorted(field.findall(source)):
                wrong.append((source, string))
    assert wrong == []


@pytest.mark.parametrize("locale", sorted(CATALOGUES.values()))
def test_the_compiled_catalogue_is_the_one_written(locale):
    with open(LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for message in catalogue(locale):
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            for count, string in enumerate(message.string):
                assert compiled.ngettext(*message.id, count + 1) == string or len(message.string) == 1
            assert compiled.ngettext(*message.id, 2) == message.string[-1]
        elif message.context:
            assert compiled.pgettext(message.context, message.id) == message.string, message.id
        else:
            assert compiled.gettext(message.id) == message.string, message.id


def test_the_package_ships_the_compiled_catalogues():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"locale/*/LC_MESSAGES/*.mo"' in text
    for locale in CATALOGUES.values():
        assert (LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.mo").is_file()


@pytest.mark.parametrize("locale", sorted(CATALOGUES.values()))
def test_the_translation_keeps_every_printf_placeholder_of_argparse(locale):
    """argparse's own messages (cli/parser_words.py) are filled in with % by argparse."""
    import re

    field = re.compile(r"%(?:\([a-z_]+\))?[sr]")
    wrong = []
    for message in catalogue(locale):
        if not message.id or isinstance(message.id, tuple):
            continue
        if sorted(field.findall(message.string)) != sorted(field.findall(message.id)):
            wrong.append((message.id, message.string))
    assert wrong == []
