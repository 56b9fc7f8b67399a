"""Public certificate routes: the PDF (sent as WhatsApp media) and the verification page."""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, HTTPException, Response
from fastapi.responses import HTMLResponse

from agent.certificates.files import certificate_pdf as kept_or_rendered
from agent.certificates.renderer import RenderTimeout
from api.deps import EngineDep, QuizStoreDep
from store.quiz_store import Certificate

router = APIRouter(tags=["certificates"])

_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>Certificate verification</title>
<style>body{{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;
color:#212529}}.ok{{color:#146e5a}}.bad{{color:#b02a37}}dt{{color:#6c757d;margin-top:.6rem}}
dd{{margin:0;font-size:1.15rem}}</style></head><body>{body}</body></html>"""


def _known(quiz_store: QuizStoreDep, code: str) -> Certificate:
    certificate = quiz_store.get_certificate(code) if len(code) <= 64 else None
    if certificate is None:
        raise HTTPException(404, "no certificate with this code")
    return certificate


@router.get("/certificates/{code}.pdf", response_class=Response)
def certificate_pdf(code: str, quiz_store: QuizStoreDep, engine: EngineDep) -> Response:
    """The certificate PDF (a revoked one is gone: 410): rendered from its record on the first
    request (Twilio's fetch of the media URL, usually) and kept, so later ones read the file."""
    certificate = _known(quiz_store, code)
    if certificate.revoked:
        raise HTTPException(410, "this certificate was revoked")
    try:
        pdf = kept_or_rendered(engine.trainer.quiz_config, certificate)
    except RenderTimeout as exc:
        raise HTTPException(
            503, "the certificate is being prepared", {"Retry-After": "10"}
        ) from exc
    headers = {"Content-Disposition": f'inline; filename="certificate-{code}.pdf"'}
    return Response(pdf, media_type="application/pdf", headers=headers)


@router.get("/verify/{code}", response_class=HTMLResponse)
def verify(code: str, quiz_store: QuizStoreDep) -> HTMLResponse:
    """A small public page: is this certificate valid, and for whom."""
    certificate = quiz_store.get_certificate(code) if len(code) <= 64 else None
    if certificate is None:
        body = '<h1 class="bad">Not a valid certificate</h1><p>No certificate has this code.</p>'
        return HTMLResponse(_PAGE.format(body=body), status_code=404)
    if certificate.revoked:
        title = '<h1 class="bad">Certificate revoked</h1>'
        note = "<p>This certificate was revoked and is no longer valid.</p>"
    else:
        title, note = '<h1 class="ok">✔ Valid certificate</h1>', ""
    rows = [
        ("Name", certificate.name),
        ("Programme", certificate.programme),
        ("Completed on", certificate.completed_on.strftime("%d %B %Y")),
    ]
    if certificate.score is not None:
        rows.append(("Average quiz score", f"{certificate.score}%"))
    details = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows)
    body = f"{title}{note}<dl>{details}</dl><p><small>Code {escape(code)}</small></p>"
    return HTMLResponse(_PAGE.format(body=body))
