"""The certificate PDF: one A4 landscape page made with fpdf2, with a QR code from segno.

The DejaVu Sans font shipped in fonts/ covers Latin, Greek and Cyrillic names; Devanagari
names use an installed Devanagari font with HarfBuzz shaping (shaping.py). Characters no
font has are printed as '?' rather than failing the certificate.
"""

from __future__ import annotations

import io
from pathlib import Path

import segno
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from agent.certificates.latin_fonts import latin_copy
from agent.certificates.shaping import FALLBACK_FAMILY, enable_complex_scripts
from store.quiz_store import Certificate

FONTS = Path(__file__).parent / "fonts"
_INK, _ACCENT, _MUTED = (33, 37, 41), (20, 110, 90), (110, 117, 125)


def _indic(ch: str) -> bool:
    """True for characters of the scripts DejaVu Sans lacks (Indic: U+0900-0DFF)."""
    return "\u0900" <= ch <= "\u0dff"


def _needs_shaping(text: str) -> bool:
    """True when the text has characters only the Devanagari fallback font can draw."""
    return any(_indic(ch) for ch in text)


def _covered(pdf: FPDF, text: str) -> str:
    """The text with characters neither the font nor a fallback font can draw replaced by '?'."""
    cmap = getattr(pdf.current_font, "cmap", None)
    if not cmap:
        return text
    fallback = FALLBACK_FAMILY.lower()
    maps = [cmap, *(getattr(f, "cmap", {}) for k, f in pdf.fonts.items() if k.startswith(fallback))]
    return "".join(ch if ch.isspace() or any(ord(ch) in m for m in maps) else "?" for ch in text)


def _line(pdf: FPDF, text: str, size: int, style: str = "", color=_INK, gap: float = 4) -> None:
    pdf.set_font("DejaVu", style, size)
    pdf.set_text_color(*color)
    pdf.cell(0, size * 0.5, _covered(pdf, text), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(gap)


Line = tuple[str, int, str, tuple[int, int, int], float]


def _lines(certificate: Certificate) -> list[Line]:
    """The centred lines of the page: text, size, style, colour and the gap after it."""
    day = certificate.completed_on.strftime("%d %B %Y")
    lines: list[Line] = [
        (certificate.programme, 20, "B", _ACCENT, 10),
        ("CERTIFICATE OF COMPLETION", 28, "B", _INK, 12),
        ("This certifies that", 14, "", _MUTED, 6),
        (certificate.name, 30, "B", _INK, 8),
        ("has successfully completed the training programme", 14, "", _MUTED, 10),
        (f"Completed on {day}", 14, "", _INK, 4),
    ]
    if certificate.score is not None:
        lines.append((f"Average quiz score: {certificate.score}%", 14, "", _INK, 4))
    return lines


def render_pdf(certificate: Certificate, verify_url: str) -> bytes:
    """The certificate as PDF bytes; the QR code links to `verify_url`."""
    lines = _lines(certificate)
    footer = [f"Verification code: {certificate.code}", f"Verify at {verify_url}"]
    # What DejaVu must draw (Indic letters go to the fallback font): the Latin copy when it can.
    every_text = "".join(ch for ch in "".join([*(t[0] for t in lines), *footer]) if not _indic(ch))
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_font("DejaVu", "", str(latin_copy(FONTS / "DejaVuSans.ttf", every_text)))
    pdf.add_font("DejaVu", "B", str(latin_copy(FONTS / "DejaVuSans-Bold.ttf", every_text)))
    if _needs_shaping(certificate.name + certificate.programme):
        enable_complex_scripts(pdf)  # two more fonts to load and subset: only when needed
    pdf.set_title(f"{certificate.programme}: certificate of completion")
    pdf.add_page()
    pdf.set_draw_color(*_ACCENT)
    pdf.set_line_width(1.5)
    pdf.rect(10, 10, 277, 190)
    pdf.set_line_width(0.4)
    pdf.rect(14, 14, 269, 182)
    pdf.set_y(32)
    for text, size, style, color, gap in lines:
        _line(pdf, text, size, style, color, gap)
    qr = io.BytesIO()
    segno.make(verify_url, error="m").save(qr, kind="png", scale=6, border=1)
    qr.seek(0)
    pdf.image(qr, x=237, y=150, w=38, h=38)
    pdf.set_xy(20, 176)
    pdf.set_font("DejaVu", "", 9)
    pdf.set_text_color(*_MUTED)
    pdf.cell(0, 5, footer[0], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_x(20)
    pdf.cell(0, 5, footer[1])
    return bytes(pdf.output())
