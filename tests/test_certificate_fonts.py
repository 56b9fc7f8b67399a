"""Certificates use a Latin-only copy of DejaVu Sans when it covers the text, else the full font."""

from __future__ import annotations

import re
import zlib
from datetime import UTC, datetime

from agent.certificates.latin_fonts import latin_copy
from agent.certificates.pdf import FONTS, render_pdf
from store.quiz_store import Certificate

REGULAR = FONTS / "DejaVuSans.ttf"


def _certificate(name: str) -> Certificate:
    return Certificate(
        code="c" * 24, phone="+15550001", name=name, programme="Kestrel Partner Training",
        completed_on=datetime(2026, 3, 9, tzinfo=UTC), score=92,
    )  # fmt: skip


def _font_files(pdf: bytes) -> list[int]:
    """The sizes of the embedded font programs (the /FontFile2 streams, decompressed)."""
    sizes = []
    for raw in re.findall(rb"/Length1 \d+.*?stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        sizes.append(len(zlib.decompress(raw)))
    return sizes


def test_latin_text_uses_the_small_copy_and_other_scripts_the_full_font() -> None:
    latin = latin_copy(REGULAR, "Āśā Rāō Müller, Ñúñez & Łukasz – 9 March 2026")
    assert latin != REGULAR and latin.stat().st_size < REGULAR.stat().st_size / 3
    assert latin_copy(REGULAR, "Елена Ξένια") == REGULAR  # Cyrillic, Greek: the full font


def test_a_name_outside_the_copy_is_still_drawn_not_replaced_by_question_marks() -> None:
    latin = render_pdf(_certificate("Asha Rao"), "https://genie.example/verify/x")
    cyrillic = render_pdf(_certificate("Елена Петрова"), "https://genie.example/verify/x")
    assert latin.startswith(b"%PDF") and cyrillic.startswith(b"%PDF")
    # The Cyrillic glyphs are in the embedded font: more glyph data than for the Latin name.
    assert sum(_font_files(cyrillic)) > sum(_font_files(latin))
