"""Reading a text file whose encoding nobody wrote down.

Spreadsheets save CSV as UTF-8 (with or without a byte-order mark), UTF-16 (Excel's
"Unicode text"), GB18030/GBK (Chinese Excel) or a Windows code page (European
Excel). A byte-order mark decides; else strict UTF-8; else charset-normalizer guesses,
and a guess of Korean, Japanese or Big5 for text that reads as Chinese in GB18030
gives way to GB18030 (a few lines of names are too short for its statistics).
"""

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

from salesdesk.core.errors import SalesdeskError
from salesdesk.i18n import N_, _

# GB2312 and GBK are subsets of GB18030; decoding with the superset loses nothing.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "hz": "gb18030"}
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", N_("UTF-8 with BOM")),
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16 LE"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16 BE"),
)
SUGGESTED = "utf-8, gb18030 or cp1252"
_MULTIBYTE = {
    "gb18030",
    "big5",
    "big5hkscs",
    "cp950",
    "shift_jis",
    "cp932",
    "euc_jp",
    "euc_kr",
    "cp949",
    "johab",
    "utf_16",
    "utf_32",
}
# A GB18030 character: four bytes (digits in second and fourth place) or two.
_GB_CHAR = re.compile(rb"[\x81-\xfe][\x30-\x39][\x81-\xfe][\x30-\x39]|[\x80-\xff][\x00-\xff]")
_WESTERN_MARGIN = 0.06
_GB2312 = re.compile(rb"[\xa1-\xf7][\xa1-\xfe]")  # the GB2312 hanzi and symbol rows
_KOREAN = {"cp949", "euc_kr", "johab"}
_JAPANESE = {"shift_jis", "cp932", "euc_jp"}
_OTHER_CJK = _KOREAN | _JAPANESE | {"big5", "big5hkscs", "cp950"}
_NOT_ASCII = re.compile(r"[^\x00-\x7f]")
# Hanzi (with the extensions), CJK punctuation, and the fullwidth forms Chinese text uses.
_CHINESE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f\u3000-\u303f\uff00-\uffef]")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_KANA = re.compile(r"[\u3040-\u30ff]")
# Fewer Hangul syllables than this read as GBK just as well: a short file is taken for Chinese.
_HANGUL_AT_LEAST = 8


class UnreadableFile(SalesdeskError):
    """The file as a whole cannot be read, so nothing of it is imported (exit status 2)."""


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str  # as a person names it: "UTF-8 with BOM", "GB18030"
    detected: bool  # False when the user named it with --encoding


def read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise UnreadableFile(_("{path} does not exist; check the file name.").format(path=path))
    if path.is_dir():
        raise UnreadableFile(_("{path} is a folder; pass a file.").format(path=path))
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UnreadableFile(cannot_read(path, error)) from None
    if not data.strip():
        raise UnreadableFile(_("{path} is empty; there is nothing to import.").format(path=path))
    if data.startswith(b"PK\x03\x04"):
        raise UnreadableFile(
            _(
                "{path} is a spreadsheet workbook, not CSV; save it from the spreadsheet as CSV "
                "(CSV UTF-8 if offered) and import that file."
            ).format(path=path)
        )
    return data


def cannot_read(path: Path, error: OSError) -> str:
    """'contacts.csv cannot be read (Permission denied).'"""
    return _("{path} cannot be read ({reason}).").format(path=path, reason=error.strerror)


def how_found(what: str, detected: bool) -> str:
    """'UTF-8 (detected)', 'latin-1 (as given)': an encoding or delimiter and who chose it."""
    return (_("{what} (detected)") if detected else _("{what} (as given)")).format(what=what)


def decode(path: Path, data: bytes, encoding: str | None = None) -> DecodedText:
    if encoding:
        return DecodedText(_decode_as(path, data, encoding), encoding, False)
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            return DecodedText(_decode_as(path, data, codec, _(label)), _(label), True)
    if b"\x00" in data[:4096]:
        # ASCII text in UTF-16 without a byte-order mark: every other byte is zero.
        sample = data[:4096]
        odd, even = sample[1::2].count(0), sample[0::2].count(0)
        if max(odd, even) > len(sample) // 4:
            codec = "utf-16-le" if odd > even else "utf-16-be"
            return DecodedText(_decode_as(path, data, codec), codec.upper(), True)
    else:
        try:
            return DecodedText(data.decode("utf-8"), "UTF-8", True)
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes

    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        raise UnreadableFile(
            _(
                "{path} is not text in an encoding salesdesk recognises; pass --encoding with the "
                "file's encoding ({suggested})."
            ).format(path=path, suggested=SUGGESTED)
        )
    codec = _SUPERSETS.get(best.encoding.replace("_", "").lower(), best.encoding)
    if codec in _OTHER_CJK:
        if _reads_as_chinese(data, codec):
            codec = "gb18030"
    elif codec not in _MULTIBYTE:
        if _looks_like_gb(data):
            codec = "gb18030"
        elif any(m.encoding == "cp1252" and m.chaos <= best.chaos + _WESTERN_MARGIN for m in matches):
            # On a short Western sample several code pages look alike; Western Excel
            # writes Windows-1252 by far the most often.
            codec = "cp1252"
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        codec, text = best.encoding, str(best)
    return DecodedText(text, codec.upper().replace("_", "-"), True)


def _reads_as_chinese(data: bytes, guess: str) -> bool:
    """Whether a file charset-normalizer took for Korean, Japanese or Big5 is GBK Chinese.

    On a few lines of names the guess is little better than chance, and GBK bytes are
    nearly always valid CP949 or Big5 too. GB18030 wins when its reading is Chinese
    (GB2312-row characters, nearly all of them hanzi or CJK punctuation), unless the
    guess reads as its own language: Korean as Hangul throughout, Japanese with kana.
    """
    if not _looks_like_gb(data, at_least=2):
        return False
    foreign = _NOT_ASCII.findall(data.decode("gb18030"))
    if sum(1 for c in foreign if _CHINESE.match(c)) < 0.9 * len(foreign):
        return False
    try:
        theirs = _NOT_ASCII.findall(data.decode(guess))
    except UnicodeDecodeError:
        return True
    if guess in _KOREAN:
        hangul = sum(1 for c in theirs if _HANGUL.match(c))
        return not (hangul >= _HANGUL_AT_LEAST and hangul >= 0.9 * len(theirs))
    if guess in _JAPANESE:
        return sum(1 for c in theirs if _KANA.match(c)) < 0.2 * len(theirs)
    return True


def _looks_like_gb(data: bytes, at_least: int = 4) -> bool:
    """Whether non-ASCII text is GB2312-row Chinese, decoding as GB18030.

    charset-normalizer can take a file of mostly ASCII with a few repeated Chinese words
    for a single-byte code page. In real GB text nearly every two-byte character lies
    in the GB2312 rows; in a Western code page read as GB, accented letters followed by
    ASCII letters do not.
    """
    lines = [line for line in data.split(b"\n", 20_000) if max(line, default=0) >= 0x80]
    sample = b"\n".join(lines)[: 256 * 1024]
    characters = _GB_CHAR.findall(sample)
    if len(characters) < at_least:
        return False
    try:
        sample.decode("gb18030")
    except UnicodeDecodeError:
        return False
    return sum(1 for c in characters if _GB2312.fullmatch(c)) >= 0.95 * len(characters)


def _decode_as(path: Path, data: bytes, codec: str, label: str | None = None) -> str:
    try:
        codecs.lookup(codec)
    except LookupError:
        raise UnreadableFile(
            _("{value} is not an encoding salesdesk knows; use one such as {suggested}.").format(
                value=repr(codec), suggested=SUGGESTED
            )
        ) from None
    label = label or codec
    if codecs.lookup(codec).name == "utf-8":
        codec = "utf-8-sig"  # a byte-order mark is not part of the first header
    try:
        return data.decode(codec)
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise UnreadableFile(
            _(
                "{path} cannot be read as {encoding}: byte {byte} on line {line} is not {encoding}; "
                "pass --encoding with the file's encoding ({suggested})."
            ).format(
                path=path, encoding=label, byte=f"0x{data[error.start]:02x}", line=line, suggested=SUGGESTED
            )
        ) from None
