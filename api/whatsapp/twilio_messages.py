"""Create a Twilio Message with one request through the client, without its resource layers.

`client.messages.create(...)` walks five layers (MessageList, Version, Domain, Client, the
HTTP client) and then builds a MessageInstance, parsing its thirty fields (three RFC 2822
dates among them) only for the sender to read `sid`: about a quarter of a send's CPU, twice
or three times per partner message. `MessagesEndpoint.create` sends the same request through
the same `Client.request` (headers, Basic auth, edge and region, the pooled transport), and
turns an error answer into the exception the library raises (`Version.exception`), so the
sender classifies every outcome as before.
"""

from __future__ import annotations

import json
from typing import Any

from twilio.base.version import Version
from twilio.rest import Client

HEADERS = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}


class MessagesEndpoint:
    """The account's Messages list resource: POST one message, get its SID."""

    def __init__(self, client: Client) -> None:
        self._client = client
        api = client.api.v2010
        # What the library passes to Version.exception (its errors name the relative URI).
        self.uri = f"/Accounts/{client.account_sid}/Messages.json"
        self.url = api.domain.absolute_url(api.relative_uri(self.uri))

    def create(self, form: dict[str, Any]) -> str | None:
        """POST `form` (Twilio's parameter names; lists repeat their key); the new SID.

        Raises what `client.messages.create` raises: TwilioRestException or
        TwilioServiceException for an error answer, requests' exceptions for network errors,
        ValueError for a 2xx answer that is not a JSON object.
        """
        response = self._client.request("POST", self.url, data=form, headers=dict(HEADERS))
        if not 200 <= response.status_code < 300:
            raise Version.exception("POST", self.uri, response, "Unable to create record")
        if not response.text:
            return None
        payload = json.loads(response.text)
        if not isinstance(payload, dict):
            raise ValueError(f"expected a JSON object, got {type(payload).__name__}")
        sid = payload.get("sid")
        return str(sid) if sid is not None else None
