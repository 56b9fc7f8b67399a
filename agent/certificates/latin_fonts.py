"""Latin-only copies of the certificate fonts, made once per process: quick to load and embed.

fpdf2 parses the whole TrueType file on every `add_font` and subsets it again on output; with
DejaVu Sans (6,000 glyphs, two styles) that was ~65 % of a certificate's ~0.22 s of CPU. Nearly
every name is written in Latin letters, so a certificate whose text the copy covers uses it
(the same glyphs: ~950 of them, Latin with its extensions, punctuation) and renders in about a
third of the time; any other text uses the full font, so no certificate looks different.
"""

from __future__ import annotations

import atexit
import io
import logging
import shutil
import tempfile
import threading
from pathlib import Path

from fontTools import subset, ttLib

log = logging.getLogger("genie.certificates")

# Basic Latin, Latin-1, Latin Extended-A/B, Latin Extended Additional (ā ṛ ṣ ṇ...), punctuation.
LATIN = (
    *range(0x20, 0x7F), *range(0xA0, 0x250), *range(0x1E00, 0x1F00),
    *range(0x2010, 0x2045), 0x20AC, 0x2122,
)  # fmt: skip

_lock = threading.Lock()
_copies: dict[Path, tuple[Path, frozenset[int]] | None] = {}
_folder: Path | None = None


def latin_copy(font: Path, text: str) -> Path:
    """The Latin copy of `font` when it has every character of `text`, else `font` itself."""
    with _lock:
        if font not in _copies:
            _copies[font] = _make_copy(font)
        made = _copies[font]
    if made is None:
        return font
    path, covered = made
    return path if all(ord(ch) in covered for ch in text) else font


def _make_copy(font: Path) -> tuple[Path, frozenset[int]] | None:
    """Subset `font` to LATIN into this process's temporary folder; None (logged) on failure."""
    global _folder
    try:
        ttfont = ttLib.TTFont(font, recalcTimestamp=False)
        options = subset.Options(
            glyph_names=True, notdef_outline=True, recommended_glyphs=True, hinting=True,
            layout_features=["*"], name_IDs=["*"], name_languages=["*"], legacy_kern=True,
        )  # fmt: skip
        options.drop_tables += ["FFTM"]  # a FontForge timestamp fontTools cannot subset
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=LATIN)
        subsetter.subset(ttfont)
        buffer = io.BytesIO()
        ttfont.save(buffer)
        covered = frozenset(ttfont.getBestCmap())
        if _folder is None:
            _folder = Path(tempfile.mkdtemp(prefix="genie-fonts-"))
            atexit.register(shutil.rmtree, _folder, True)
        path = _folder / font.name
        path.write_bytes(buffer.getvalue())
    except Exception:
        log.exception("certificates: no Latin copy of %s; using the full font", font)
        return None
    return path, covered
