"""The JSON bodies the fake Twilio API answers with: a message resource, or an error."""

from __future__ import annotations

from email.utils import formatdate
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
    21654: "ContentSid Required",
    21656: "The ContentVariables Parameter is invalid",
    63016: (
        "Failed to send freeform message because you are outside the allowed window. "
        "If you are using WhatsApp, please use a Message Template."
    ),
}
CODE_FOR_STATUS = {400: 21211, 401: 20003, 404: 20404, 429: 20429, 500: 20500, 503: 20503}


def error_body(status: int, code: int | None = None) -> dict[str, Any]:
    """Twilio's legacy error body, which the Python client turns into TwilioRestException."""
    code = code or CODE_FOR_STATUS.get(status, status)
    text = ERROR_TEXT.get(code, "Scripted failure")
    more_info = f"https://www.twilio.com/docs/errors/{code}"
    return {"code": code, "message": text, "more_info": more_info, "status": status}


def message_resource(
    account_sid: str, sid: str, to: str, from_: str, body: str, num_media: int
) -> dict[str, Any]:
    """The JSON message resource Twilio returns on create (the fields the client reads)."""
    uri = f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}.json"
    resource: dict[str, Any] = {"sid": sid, "account_sid": account_sid}
    resource |= {"to": to, "from": from_, "body": body}
    resource |= {"status": "queued", "direction": "outbound-api", "api_version": "2010-04-01"}
    resource |= {"num_media": str(num_media), "num_segments": "1", "uri": uri}
    resource |= {"date_created": formatdate(usegmt=True), "error_code": None, "price": None}
    return resource
