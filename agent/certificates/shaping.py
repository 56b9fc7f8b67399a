"""Names in scripts that need shaping (Devanagari): a system font for them and HarfBuzz.

The bundled DejaVu Sans has no Devanagari. When a Devanagari font is installed (Debian:
fonts-noto-core or fonts-lohit-deva, which .ci/run installs) and `uharfbuzz` is importable,
the certificate uses it as a fallback font with text shaping on, so conjuncts and vowel signs
are drawn correctly. Without them the certificate is still made; the characters it cannot
draw show as '?'.
"""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path

from fpdf import FPDF

log = logging.getLogger("genie.certificates")

FALLBACK_FAMILY = "Devanagari"
# (regular, bold) candidates, best first; a font without a bold file uses its regular one.
DEVANAGARI_FONTS = (
    (
        Path("/usr/share/fonts/truetype/noto/NotoSansDevanagari-Regular.ttf"),
        Path("/usr/share/fonts/truetype/noto/NotoSansDevanagari-Bold.ttf"),
    ),
    (Path("/usr/share/fonts/truetype/lohit-devanagari/Lohit-Devanagari.ttf"), None),
)


def devanagari_font() -> tuple[Path, Path] | None:
    """The installed Devanagari font's regular and bold files, or None."""
    for regular, bold in DEVANAGARI_FONTS:
        if regular.is_file():
            return regular, bold if bold is not None and bold.is_file() else regular
    return None


def shaping_available() -> bool:
    """True when HarfBuzz (the `uharfbuzz` package) can shape text for fpdf2."""
    return importlib.util.find_spec("uharfbuzz") is not None


def enable_complex_scripts(pdf: FPDF) -> bool:
    """Add the Devanagari fallback font and turn on shaping; False (logged) when unavailable."""
    font = devanagari_font()
    if font is None or not shaping_available():
        missing = "a Devanagari font" if font is None else "uharfbuzz"
        log.info("certificates: %s is not installed; Devanagari names print as '?'", missing)
        return False
    regular, bold = font
    pdf.add_font(FALLBACK_FAMILY, "", str(regular))
    pdf.add_font(FALLBACK_FAMILY, "B", str(bold))
    pdf.set_fallback_fonts([FALLBACK_FAMILY])
    pdf.set_text_shaping(True)
    return True
