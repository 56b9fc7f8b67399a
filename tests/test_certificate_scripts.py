"""Devanagari names on certificates: shaped with HarfBuzz when a font is installed, else '?'."""

from __future__ import annotations

import re
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fpdf import FPDF

from agent.certificates import shaping
from agent.certificates.pdf import render_pdf
from store.quiz_store import Certificate

NAME = "सुनीता वर्मा"


def _certificate(name: str = NAME) -> Certificate:
    return Certificate(
        code="c" * 24, phone="+919800000001", name=name, programme="Kestrel Partner Training",
        completed_on=datetime(2026, 3, 9, tzinfo=UTC), score=92,
    )  # fmt: skip


def _text_streams(pdf: bytes) -> bytes:
    """The page's drawing instructions (fpdf2 compresses them with zlib)."""
    out = b""
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            out += zlib.decompress(raw)
        except zlib.error:
            out += raw
    return out


needs_shaping = pytest.mark.skipif(
    shaping.devanagari_font() is None or not shaping.shaping_available(),
    reason="no Devanagari font or uharfbuzz installed (.ci/run installs them)",
)


@needs_shaping
def test_a_devanagari_name_is_drawn_with_the_devanagari_font_and_shaped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shaped = render_pdf(_certificate(), "https://genie.example/verify/x")
    assert shaped.startswith(b"%PDF")
    font = shaping.devanagari_font()
    assert font is not None
    embedded = re.sub(r"[^A-Za-z]", "", font[0].stem.split("-")[0]).encode()
    assert embedded in shaped  # the Devanagari font is embedded for the name
    # The same font without shaping draws other glyphs ("र्मा": the reph goes above the मा).
    monkeypatch.setattr(FPDF, "set_text_shaping", lambda self, *a, **k: None)
    unshaped = render_pdf(_certificate(), "https://genie.example/verify/x")
    assert embedded in unshaped
    assert _text_streams(shaped) != _text_streams(unshaped)


def test_without_a_font_the_certificate_is_still_made_with_question_marks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(shaping, "DEVANAGARI_FONTS", ((Path("/nonexistent/font.ttf"), None),))
    assert shaping.devanagari_font() is None
    pdf = render_pdf(_certificate(f"Sunita {NAME}"), "https://genie.example/verify/x")
    assert pdf.startswith(b"%PDF") and b"Lohit" not in pdf and b"NotoSansDevanagari" not in pdf


def test_without_harfbuzz_the_font_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shaping, "shaping_available", lambda: False)
    assert shaping.enable_complex_scripts(FPDF()) is False
