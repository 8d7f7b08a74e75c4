"""Every word a person reads, in their language: GNU gettext catalogues.

The catalogues are in `salesdesk/locale/` (`zh_CN/LC_MESSAGES/salesdesk.po`, compiled to
`.mo` beside it and shipped in the package: installing is the only step). Strings are
marked with `_` (shown now), `ngettext` (a count: `1 customer`, `2 customers`), `pgettext`
(a word that needs its context) and `N_`
(a constant defined at import, translated where it is shown with `_`); a `Phrase` is a
sentence kept (a held change's reason) to be said in the language it is read in. `scripts/catalogues`
extracts them and compiles the catalogues (CONTRIBUTING.md).

The language is chosen once, before anything is shown: `--lang`, else the database's
setting, else the environment as gettext reads it (`LANGUAGE`, `LC_ALL`, `LC_MESSAGES`,
`LANG`), else English. Imports nothing of salesdesk's, so every layer may use it.
"""

import gettext as _gettext
import json
import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

DOMAIN = "salesdesk"
LOCALE_DIR = Path(__file__).with_name("locale")
ENGLISH, CHINESE = "en", "zh"
# The language a short code names, and the catalogue that holds it.
CATALOGUES = {CHINESE: "zh_CN"}
LANGUAGES = (ENGLISH, CHINESE)
# Chinese written in Traditional characters has no catalogue yet: those people get English.
_TRADITIONAL = ("zh_tw", "zh_hk", "zh_mo", "zh_hant")

_translation: _gettext.NullTranslations = _gettext.NullTranslations()
_language = ENGLISH
_fixed = False  # chosen on the command line: a stored preference does not override it
# Inside `written_in`, on that thread only: (translation, language) of what is written.
_local = threading.local()


def normalise(tag: str | None) -> str | None:
    """The language (`en`, `zh`) a locale name or code names; None when none we have.

    `zh_CN.UTF-8`, `zh_SG`, `zh-Hans`, `zh` are Chinese; `C`, `POSIX`, `en_GB.UTF-8` English.
    """
    if not tag:
        return None
    name = tag.strip().split(".")[0].split("@")[0].replace("-", "_").lower()
    if name in ("c", "posix") or name.startswith("en"):
        return ENGLISH
    if name == CHINESE or name.startswith("zh_"):
        return None if name.startswith(_TRADITIONAL) else CHINESE
    return None


def from_environment(environ: Mapping[str, str] = os.environ) -> str:
    """The language of the environment, read in gettext's order: the first variable set.

    `LANGUAGE` may list several (`fr:zh_CN:en`): the first we have a catalogue for.
    """
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(variable)
        if not value:
            continue
        for tag in value.split(":"):
            found = normalise(tag)
            if found:
                return found
        if variable != "LANGUAGE":
            return ENGLISH  # set, to a language without a catalogue
    return ENGLISH


def set_language(language: str | None, *, fixed: bool = False) -> str:
    """Show every word from now on in `language` (`en`, `zh`; None or unknown: English).

    `fixed`: the person chose it for this run (`--lang`), so `prefer` leaves it alone.
    """
    global _translation, _language, _fixed
    _fixed = fixed
    chosen = normalise(language) or ENGLISH
    if chosen == ENGLISH:
        _translation = _gettext.NullTranslations()
    else:
        _translation = _gettext.translation(DOMAIN, LOCALE_DIR, languages=[CATALOGUES[chosen]])
    _language = chosen
    return chosen


@contextmanager
def written_in(language: str | None) -> Iterator[str]:
    """Words and dates in `language` (`en`, `zh`; None or unknown: English) inside the
    block, on this thread only: a quote is written in its own language, whatever the
    person reads the program in, and the app drawn meanwhile on another thread stays in
    theirs. Yields the language chosen."""
    chosen = normalise(language) or ENGLISH
    translation = (
        _gettext.NullTranslations()
        if chosen == ENGLISH
        else _gettext.translation(DOMAIN, LOCALE_DIR, languages=[CATALOGUES[chosen]])
    )
    outer = getattr(_local, "written", None)
    _local.written = (translation, chosen)
    try:
        yield chosen
    finally:
        _local.written = outer


def _current() -> tuple[_gettext.NullTranslations, str]:
    """The translation and language of this moment: `written_in`'s on its thread, else the
    one chosen."""
    written: tuple[_gettext.NullTranslations, str] | None = getattr(_local, "written", None)
    return written if written is not None else (_translation, _language)


def prefer(language: str | None) -> str:
    """The person's stored preference (the settings' language), unless `--lang` chose one."""
    if language and not _fixed:
        set_language(language)
    return _language


def language() -> str:
    """The language words are shown in now: `en` or `zh`."""
    return _current()[1]


def _(message: str) -> str:
    """`message` in the chosen language."""
    return _current()[0].gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of `singular`/`plural` for `count` in the chosen language (Chinese has one)."""
    return _current()[0].ngettext(singular, plural, count)


def pgettext(context: str, message: str) -> str:
    """`message` in the chosen language, as it reads in `context` (one English word may
    be two in another language: `repeat`, a field, and `repeat`, a segment)."""
    return _current()[0].pgettext(context, message)


def N_(message: str) -> str:
    """Mark a constant for the catalogue; it is translated where it is shown, with `_`."""
    return message


@dataclass(frozen=True)
class Phrase:
    """A sentence kept to be read later, in the language of that moment, not of this one:
    its English text (marked with `N_`), the values it is formatted with, and which of
    them are words to translate as well (their English, marked with `N_` too).

    `str(phrase)` says it now; `stored()` is its form to keep (JSON) and `Phrase.restored`
    reads that back (None for anything else: what a database holds is checked too).
    """

    text: str
    values: Mapping[str, str] = field(default_factory=dict)
    words: frozenset[str] = frozenset()  # names in `values` whose value is a word to translate

    def __str__(self) -> str:
        values = {name: _(value) if name in self.words else value for name, value in self.values.items()}
        try:
            return _(self.text).format(**values)
        except (KeyError, IndexError, ValueError):  # a translation that does not fit its values
            return self.text.format(**values)

    def stored(self) -> str:
        return json.dumps(
            {"text": self.text, "values": dict(self.values), "words": sorted(self.words)}, ensure_ascii=False
        )

    @classmethod
    def restored(cls, stored: object) -> "Phrase | None":
        try:
            kept = json.loads(stored) if isinstance(stored, str) else None
        except ValueError:
            return None
        if not isinstance(kept, dict) or not isinstance(kept.get("text"), str):
            return None
        values, words = kept.get("values", {}), kept.get("words", [])
        if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
            return None
        if not isinstance(words, list) or not all(isinstance(w, str) and w in values for w in words):
            return None
        phrase = cls(kept["text"], values, frozenset(words))
        try:
            phrase.text.format(**values)
        except (KeyError, IndexError, ValueError):
            return None
        return phrase


class Word(str):
    """An English word (marked with `N_`) among a `Phrase`'s values: translated when said."""


def phrase(text: str, **values: object) -> Phrase:
    """A `Phrase` of `text` (marked with `N_`), each value as text; a `Word` is translated."""
    return Phrase(
        text,
        {name: f"{value}" for name, value in values.items()},
        frozenset(name for name, value in values.items() if isinstance(value, Word)),
    )


def sentences(*parts: str) -> str:
    """Sentences one after another: a space between them in English, none in Chinese."""
    return ("" if language() == CHINESE else " ").join(part for part in parts if part)


# -- dates as each language writes them ---------------------------------------------------

_WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def long_date(day: date) -> str:
    """`Friday 27 November 2026`; `2026年11月27日 周五`."""
    if language() == CHINESE:
        return f"{day.year}年{day.month}月{day.day}日 {_WEEKDAYS[day.weekday()]}"
    return f"{day:%A} {day.day} {day:%B %Y}"


def short_date(day: date) -> str:
    """`Fri 27 Nov` (`Tue 01 Dec`: columns of them line up); `11月27日 周五`."""
    if language() == CHINESE:
        return f"{day.month}月{day.day}日 {_WEEKDAYS[day.weekday()]}"
    return f"{day:%a %d %b}"


def in_language(language: str | None, message: str) -> str:
    """`message` in `language` (`en`, `zh`; None or unknown: English), not in the one shown:
    what a person reads about a language they just chose, in that language."""
    chosen = normalise(language) or ENGLISH
    if chosen == ENGLISH:
        return message
    return _gettext.translation(DOMAIN, LOCALE_DIR, languages=[CATALOGUES[chosen]]).gettext(message)
