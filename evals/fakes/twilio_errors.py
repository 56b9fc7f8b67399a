"""Twilio's legacy REST error bodies, as the fake Twilio API returns them."""

from __future__ import annotations

from typing import Any

ERROR_TEXT = {
    20003: "Authenticate",
    20404: "The requested resource was not found",
    20429: "Too Many Requests",
    20500: "Internal Server Error",
    20503: "Service Unavailable",
    21211: "Invalid 'To' Phone Number",
    21602: "Message body is required.",
    21617: "The concatenated message body exceeds the 1600 character limit.",
}
CODE_FOR_STATUS = {400: 21211, 401: 20003, 404: 20404, 429: 20429, 500: 20500, 503: 20503}


def error_body(status: int, code: int | None = None) -> dict[str, Any]:
    """Twilio's legacy error body, which the Python client turns into TwilioRestException."""
    code = code or CODE_FOR_STATUS.get(status, status)
    text = ERROR_TEXT.get(code, "Scripted failure")
    more_info = f"https://www.twilio.com/docs/errors/{code}"
    return {"code": code, "message": text, "more_info": more_info, "status": status}
