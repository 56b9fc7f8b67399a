"""The completion email to the partner managers, with the certificate attached (SMTP)."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from agent.quiz.config import SmtpConfig
from prompts import message
from store.quiz_store import Certificate

log = logging.getLogger("genie.mail")


def completion_email(
    smtp: SmtpConfig, certificate: Certificate, pdf: bytes, verify: str
) -> EmailMessage:
    """The email announcing a partner's completion, the PDF attached."""
    mail = EmailMessage()
    mail["From"] = smtp.sender
    mail["To"] = ", ".join(smtp.recipients)
    values = {
        "name": certificate.name,
        "phone": certificate.phone,
        "programme": certificate.programme,
        "date": certificate.completed_on.strftime("%d %B %Y"),
        "score": "n/a" if certificate.score is None else f"{certificate.score}%",
        "verify": verify,
    }
    mail["Subject"] = message("completion_email_subject", **values)
    mail.set_content(message("completion_email_body", **values))
    filename = f"certificate-{certificate.code}.pdf"
    mail.add_attachment(pdf, maintype="application", subtype="pdf", filename=filename)
    return mail


def send_completion_email(
    smtp: SmtpConfig, certificate: Certificate, pdf: bytes, verify: str
) -> bool:
    """Send the email now (bounded by the SMTP timeout); False when off or it failed (logged)."""
    if not smtp.host or not smtp.recipients:
        return False
    mail = completion_email(smtp, certificate, pdf, verify)
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_s) as server:
            if smtp.starttls and server.has_extn("starttls"):
                server.starttls()
            if smtp.username and smtp.password:
                server.login(smtp.username, smtp.password)
            server.send_message(mail)
    except (OSError, smtplib.SMTPException) as exc:
        log.error("completion email for certificate %s not sent: %s", certificate.code, exc)
        return False
    return True
