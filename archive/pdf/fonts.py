"""The CJK fonts of every PDF record: TrueType fonts embedded as subsets, so a record reads the same on a
machine without Chinese fonts in fifteen years (政府采购法 art. 42 keeps dossiers that long).

Main font, in order: an explicit path, `PDF_FONT` from the environment, then the Debian paths of
fonts-wqy-zenhei and fonts-wqy-microhei. reportlab reads TrueType and TrueType collections but not the
CFF-based OpenType of Noto/Source Han, so those are not candidates. With none found the Adobe CID font
STSong-Light is used with a warning: it is not embedded, and a reader without it substitutes another font.

WenQuanYi covers the BMP only: a rare character in a name (CJK Extension B, such as "𠀀") would be silently
dropped, because reportlab writes a glyph the font lacks as .notdef with no Unicode mapping. Such runs are
set in a fallback font (`PDF_FALLBACK_FONTS`, os.pathsep-separated, then fonts-hanazono's HanaMinB and HanaMinA),
registered only when first needed; a character no font has is printed as 〓 (the typesetter's mark for a
missing character) with a warning, so the gap is visible."""

from __future__ import annotations

import itertools
import os
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

DEBIAN_FONTS = (
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
)
FALLBACK_FONTS = (
    Path("/usr/share/fonts/truetype/hanazono/HanaMinB.ttf"),
    Path("/usr/share/fonts/truetype/hanazono/HanaMinA.ttf"),
)
CID_FALLBACK = "STSong-Light"
MISSING = "\u3013"


@dataclass(frozen=True)
class CJKFont:
    name: str  # the name registered with reportlab, used in styles
    path: Path | None  # None for the non-embedded CID font
    glyphs: dict[int, int] | None = field(default=None, compare=False, repr=False)  # None: assume all

    @property
    def embedded(self) -> bool:
        return self.path is not None

    def covers(self, char: str) -> bool:
        return self.glyphs is None or char.isspace() or ord(char) in self.glyphs


_registered: dict[Path | None, CJKFont] = {}
_reportlab_to_unicode_cmap = ttfonts.makeToUnicodeCMap


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    # reportlab (5.1) writes a character beyond the BMP as 5 hex digits, which PDF readers reject, so "𠀀"
    # would not be found or copied: the ToUnicode CMap wants it in UTF-16BE, a surrogate pair
    return re.sub(r"<([0-9A-F]{5,6})>$", lambda m: f"<{chr(int(m[1], 16)).encode('utf-16-be').hex().upper()}>",
                  _reportlab_to_unicode_cmap(fontname, subset), flags=re.MULTILINE)


ttfonts.makeToUnicodeCMap = _to_unicode_cmap


def find_font_file(path: str | os.PathLike | None = None) -> Path | None:
    """The first TrueType CJK font that exists; an explicit path or PDF_FONT that does not exist is an error."""
    explicit = path or os.environ.get("PDF_FONT")
    if explicit:
        chosen = Path(explicit)
        if not chosen.is_file():
            raise FileNotFoundError(f"PDF font not found: {chosen}")
        return chosen
    return next((candidate for candidate in DEBIAN_FONTS if candidate.is_file()), None)


def cjk_font(path: str | os.PathLike | None = None) -> CJKFont:
    """Register (once per file) and return the main CJK font for PDF records."""
    font_file = find_font_file(path)
    if font_file is not None:
        return _registered.get(font_file) or _register(font_file)
    warnings.warn(
        f"No TrueType CJK font found (set PDF_FONT or install fonts-wqy-zenhei): using {CID_FALLBACK}, "
        "which is NOT embedded in the PDF",
        stacklevel=2,
    )
    if None not in _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FALLBACK))
        _registered[None] = CJKFont(name=CID_FALLBACK, path=None)
    return _registered[None]


def _register(font_file: Path) -> CJKFont:
    # subfontIndex 0 of a .ttc is the proportional face (WenQuanYi Zen Hei, not its bitmap "Sharp" sibling)
    font = TTFont(f"CJK-{font_file.stem}", str(font_file), subfontIndex=0)
    pdfmetrics.registerFont(font)
    _registered[font_file] = CJKFont(name=font.fontName, path=font_file, glyphs=font.face.charToGlyph)
    return _registered[font_file]


def fallback_files() -> list[Path]:
    configured = [Path(p) for p in os.environ.get("PDF_FALLBACK_FONTS", "").split(os.pathsep) if p]
    return [p for p in (*configured, *FALLBACK_FONTS) if p.is_file()]


def _fallback_for(char: str) -> CJKFont | None:
    for font_file in fallback_files():
        font = _registered.get(font_file) or _register(font_file)
        if font.covers(char):
            return font
    return None


def font_runs(text: str, main: CJKFont) -> Iterator[tuple[CJKFont | None, str]]:
    """`text` cut into runs: (None, run) for the main font, (fallback, run) for characters it lacks."""
    chosen = [(None, c) if main.covers(c) else (_fallback_for(c), c) for c in text]
    missing = {c for font, c in chosen if font is None and not main.covers(c)}
    if missing:
        warnings.warn(f"No font has {sorted(missing)}: printed as {MISSING}", stacklevel=2)
    for font, run in itertools.groupby(chosen, key=lambda pair: pair[0]):
        yield font, "".join(MISSING if c in missing else c for _, c in run)
