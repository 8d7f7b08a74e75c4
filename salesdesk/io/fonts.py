"""The fonts a PDF quote is written in, found on this computer: one with Chinese
characters when the quote has any.

`find_cjk_font` asks fontconfig (`fc-list :lang=zh`, where it is installed: Linux, and
macOS with Homebrew) for a font that covers Chinese, preferring a sans-serif face for
Simplified Chinese, and else looks in the places Debian, Fedora, Arch, macOS and Windows
put theirs. A collection (`.ttc`) holds several faces: the one for Simplified Chinese is
taken by its index. `pick_fonts` decides for one quote: the font the person gave
(`--font`), else one with Chinese characters when the quote has them (or one sentence
saying to install one), else a Latin font (DejaVu, Liberation) or fpdf2's core Helvetica
for text that Latin-1 holds. Reads font files only, never the database.
"""

import io
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from salesdesk.core.errors import SalesdeskError
from salesdesk.i18n import _

# Text that needs a font with Chinese (or other East Asian) characters.
_CJK = re.compile(
    "[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003134f]"
)
FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")
_WINDOWS_FONTS = Path(os.environ.get("WINDIR", "C:\\Windows")) / "Fonts"
# Where systems put a font with Chinese characters, the best first: (file, face in it).
KNOWN_CJK: tuple[tuple[Path, int], ...] = (
    (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"), 2),  # Debian, Ubuntu
    (Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"), 2),  # Arch
    (Path("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc"), 2),  # Fedora
    (Path("/usr/share/fonts/google-noto-sans-cjk-vf-fonts/NotoSansCJK-VF.ttc"), 2),  # Fedora 39+
    (Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"), 2),
    (Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"), 0),
    (Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"), 0),
    (Path("/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc"), 0),
    (Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"), 0),
    (Path("/usr/share/fonts/truetype/arphic/uming.ttc"), 0),
    (Path("/usr/share/fonts/truetype/arphic/ukai.ttc"), 0),
    (Path("/System/Library/Fonts/PingFang.ttc"), 0),  # macOS
    (Path("/System/Library/Fonts/STHeiti Light.ttc"), 0),
    (Path("/System/Library/Fonts/Hiragino Sans GB.ttc"), 0),
    (Path("/Library/Fonts/Arial Unicode.ttf"), 0),
    (_WINDOWS_FONTS / "msyh.ttc", 0),  # Windows: Microsoft YaHei
    (_WINDOWS_FONTS / "simhei.ttf", 0),
    (_WINDOWS_FONTS / "simsun.ttc", 0),
)
KNOWN_LATIN: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf"),
    Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
    Path("/usr/share/fonts/liberation-sans/LiberationSans-Regular.ttf"),
    Path("/Library/Fonts/Arial.ttf"),
    Path("/System/Library/Fonts/Supplemental/Arial.ttf"),
    _WINDOWS_FONTS / "arial.ttf",
)


@dataclass(frozen=True)
class FontFile:
    """One face of a font file: `index` is its place in a collection (`.ttc`), else 0."""

    path: Path
    index: int = 0


@dataclass(frozen=True)
class Fonts:
    """The faces a PDF is written in: `regular` None is fpdf2's core Helvetica (Latin-1)."""

    regular: FontFile | None
    bold: FontFile | None = None


def has_cjk(text: str) -> bool:
    return _CJK.search(text) is not None


def _rank(family: str, style: str, path: str) -> tuple[int, ...]:
    """Lower is better: Simplified Chinese, sans-serif, regular, not monospaced."""
    words = f"{family} {style} {Path(path).name}".casefold()
    return (
        0 if re.search(r"\b(sc|cn|gb|hans)\b|yahei|pingfang|wqy|microhei", words) else 1,
        0 if re.search(r"sans|hei|gothic", words) else 1,
        0 if re.search(r"\b(regular|book|normal|medium)\b", style.casefold()) or not style else 1,
        1 if "mono" in words else 0,
        0 if path.lower().endswith((".ttc", ".otf", ".ttf")) else 1,
    )


def fontconfig_cjk(fc_list: str | None = None) -> list[FontFile]:
    """The faces fontconfig says cover Chinese, best first (none without fontconfig)."""
    program = fc_list or shutil.which("fc-list")
    if not program:
        return []
    try:
        result = subprocess.run(
            [program, "--format", "%{file}\t%{index}\t%{family[0]}\t%{style[0]}\n", ":lang=zh"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    found: list[tuple[tuple[int, ...], str, FontFile]] = []
    for row in result.stdout.splitlines():
        parts = row.split("\t")
        if len(parts) != 4 or not parts[0].lower().endswith(FONT_SUFFIXES):
            continue
        path, index, family, style = parts
        face = FontFile(Path(path), int(index) if index.isdigit() else 0)
        found.append((_rank(family, style, path), path, face))
    return [face for _rank_of, _path, face in sorted(found, key=lambda item: (item[0], item[1]))]


def find_cjk_font(
    fc_list: str | None = None, known: Iterable[tuple[Path, int]] = KNOWN_CJK
) -> FontFile | None:
    """A face with Chinese characters on this computer, or None when there is none."""
    for face in fontconfig_cjk(fc_list):
        if face.path.is_file():
            return face
    for path, index in known:
        if path.is_file():
            return FontFile(path, index)
    return None


def find_latin_font(known: Iterable[Path] = KNOWN_LATIN) -> FontFile | None:
    """A sans-serif face for Latin, Greek and Cyrillic text (DejaVu, Liberation, Arial)."""
    for path in known:
        if path.is_file():
            return FontFile(path)
    return None


def bold_of(face: FontFile) -> FontFile | None:
    """The bold face beside `face` in its family (NotoSansCJK-Bold.ttc beside -Regular)."""
    name = face.path.name
    for regular, bold in (("Regular", "Bold"), ("-Book", "-Bold"), (".ttf", "-Bold.ttf")):
        if regular in name:
            candidate = face.path.with_name(name.replace(regular, bold, 1))
            if candidate.is_file() and candidate != face.path:
                return FontFile(candidate, face.index)
    return None


def given_font(text: str) -> FontFile:
    """The font file the person named (`--font FILE`), checked to be one."""
    path = Path(text).expanduser()
    if not path.is_file():
        raise SalesdeskError(
            _("--font {path} is not a file; pass a font file such as NotoSansCJK-Regular.ttc.").format(
                path=path
            )
        )
    if path.suffix.lower() not in FONT_SUFFIXES:
        raise SalesdeskError(
            _("--font {path} is not a TrueType or OpenType font; pass a .ttf, .otf or .ttc file.").format(
                path=path
            )
        )
    return FontFile(path, _face_for_chinese(path))


def _face_for_chinese(path: Path) -> int:
    """In a collection, the face for Simplified Chinese when its name says so, else the first."""
    if path.suffix.lower() not in (".ttc", ".otc"):
        return 0
    try:
        from fontTools.ttLib import TTCollection  # fpdf2 brings it

        collection = TTCollection(str(path), lazy=True)
        names = [str(font["name"].getDebugName(4) or "") for font in collection.fonts]
    except Exception:  # a damaged file: fpdf2 says so when it reads it (`pdf_fonts`)
        return 0
    for index, name in enumerate(names):
        if re.search(r"\b(SC|CN|GB|Hans)\b|YaHei|PingFang", name):
            return index
    return 0


def pick_fonts(
    text: str,
    given: FontFile | None = None,
    *,
    cjk: Callable[[], FontFile | None] | None = None,
    latin: Callable[[], FontFile | None] | None = None,
) -> Fonts:
    """The fonts to write `text` (all the words of a quote) in.

    The one given, else a CJK font when the text has Chinese characters (none found: one
    sentence saying to install one or pass --font), else a Latin font, else Helvetica
    when Latin-1 holds the text. `cjk` and `latin` look for fonts (default:
    `find_cjk_font`, `find_latin_font`).
    """
    cjk = cjk or find_cjk_font
    latin = latin or find_latin_font
    if given is not None:
        return Fonts(given, bold_of(given))
    if has_cjk(text):
        face = cjk()
        if face is None:
            raise SalesdeskError(
                _(
                    "This quote has Chinese text and no font with Chinese characters was found on this "
                    "computer; install one (such as the fonts-noto-cjk package) or pass --font FILE."
                )
            )
        return Fonts(face, bold_of(face))
    face = latin() or cjk()
    if face is not None:
        return Fonts(face, bold_of(face))
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        raise SalesdeskError(
            _("No font for the characters of this quote was found on this computer; pass --font FILE.")
        ) from None
    return Fonts(None)


def as_truetype(face: FontFile, text: str, folder: Path) -> FontFile:
    """`face` as fpdf2 should embed it: itself when its outlines are TrueType, else (the
    CFF outlines of Noto Sans CJK, Source Han Sans) the glyphs of `text` alone, converted
    to TrueType outlines in a font file written into `folder`.

    fpdf2 writes a CID-keyed CFF font with an encoding of its own that text extractors
    (pypdf, pdfminer.six, and so a person's copy and paste in some readers) cannot read
    back; a TrueType font it writes as Identity-H, which every reader does. Only a few
    hundred glyphs of a collection of 65,000 are used, so subsetting first keeps this
    to under a second, and the same quote again (the same face and characters) takes
    the subset made before. A font fontTools cannot convert is given back as it is.
    """
    try:
        stat = face.path.stat()
    except OSError:
        return face
    characters = "".join(sorted(set(text)))
    data = _truetype_subset(str(face.path), face.index, stat.st_size, stat.st_mtime_ns, characters)
    if data is None:
        return face
    target = folder / f"{face.path.stem}-{face.index}.ttf"
    target.write_bytes(data)
    return FontFile(target)


@lru_cache(maxsize=8)
def _truetype_subset(path: str, index: int, size: int, mtime: int, text: str) -> bytes | None:
    """The glyphs of `text` in a CFF face as a TrueType font; None for a TrueType face or
    one fontTools cannot convert. `size` and `mtime` make a changed file a new entry."""
    try:
        from fontTools import subset
        from fontTools.pens.cu2quPen import Cu2QuPen
        from fontTools.pens.ttGlyphPen import TTGlyphPen
        from fontTools.ttLib import TTFont, newTable

        font = TTFont(path, fontNumber=index, lazy=True)
        if "CFF " not in font:
            return None
        options = subset.Options()
        options.layout_features = []
        options.notdef_outline = True
        options.name_IDs = ["*"]
        options.name_languages = ["*"]
        options.hinting = False
        options.desubroutinize = True
        # Shaping and vertical text are not used: not reading them halves the time.
        options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "JSTF", "vhea", "vmtx", "VORG"]
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=text)
        subsetter.subset(font)
        order = font.getGlyphOrder()
        glyphs = font.getGlyphSet()
        glyf = newTable("glyf")
        glyf.glyphOrder, glyf.glyphs = order, {}
        for name in order:
            pen = TTGlyphPen(glyphs)
            glyphs[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
            glyf[name] = pen.glyph()
        font["glyf"], font["loca"] = glyf, newTable("loca")
        del font["CFF "]
        maxp = font["maxp"]
        maxp.tableVersion = 0x00010000
        maxp.maxZones = 1
        for name in (
            "maxTwilightPoints",
            "maxStorage",
            "maxFunctionDefs",
            "maxInstructionDefs",
            "maxStackElements",
            "maxSizeOfInstructions",
            "maxComponentElements",
        ):
            setattr(maxp, name, 0)
        font["post"].formatType = 3.0  # no glyph names: a subset needs none
        font["head"].glyphDataFormat = 0
        font.sfntVersion = "\x00\x01\x00\x00"
        out = io.BytesIO()
        font.save(out)
        return out.getvalue()
    except Exception:  # fpdf2 reads the file as it is, and says so if it cannot (`quote_pdf`)
        return None
