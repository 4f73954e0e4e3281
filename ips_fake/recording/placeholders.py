"""What a replay sends for the ``***secret-N***`` placeholders a cassette stores: the password
for one the recording saw accepted, a distinct wrong value for one it saw refused."""

from __future__ import annotations

import base64
from collections.abc import Mapping

from ips_fake.recording.cassette import Cassette
from ips_fake.recording.exchanges import RecordedRequest, RecordedResponse
from ips_fake.scrubbing import secret_placeholders

#: The password a replay sends for a placeholder the recording saw accepted.
DEFAULT_REPLAY_PASSWORD = "password"


def _is_authentication_fault(response: RecordedResponse) -> bool:
    return b"authenticationFault" in response.plain_body()


def replay_secrets(cassette: Cassette, password: str = DEFAULT_REPLAY_PASSWORD) -> dict[str, str]:
    """What a replay sends for each ``***secret-N***`` of ``cassette``: ``password`` for a
    placeholder at least one recorded answer accepted (no authenticationFault), and a distinct
    wrong value (``wrong-secret-N``) for one every answer refused, so a recorded wrong-password
    exchange stays wrong."""
    accepted: dict[str, bool] = {}
    for step in cassette.interactions:
        texts = [step.request.body.decode("utf-8", "replace")]
        texts += [_header_text(name, value) for name, value in step.request.headers]
        refused = _is_authentication_fault(step.response)
        for text in texts:
            for placeholder in secret_placeholders(text):
                accepted[placeholder] = accepted.get(placeholder, False) or not refused
    return {
        placeholder: password if ok else "wrong-" + placeholder.strip("*")
        for placeholder, ok in accepted.items()
    }


def _header_text(name: str, value: str) -> str:
    scheme, _, credentials = value.partition(" ")
    if name == "authorization" and scheme.lower() == "basic":
        try:
            return base64.b64decode(credentials.strip(), validate=True).decode("utf-8", "replace")
        except ValueError:
            return value
    return value


def _fill(text: str, values: Mapping[str, str]) -> str:
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    return text


def live_request(request: RecordedRequest, values: Mapping[str, str]) -> RecordedRequest:
    """``request`` with each placeholder replaced by its value in ``values`` (see
    :func:`replay_secrets`): in the body, ``Authorization`` (Basic re-encoded) and
    ``AuthPassword``."""
    if not values:
        return request
    headers = []
    for name, value in request.headers:
        scheme = value.partition(" ")[0]
        if name == "authorization" and scheme.lower() == "basic":
            decoded = _header_text(name, value)
            if decoded != value:
                filled = base64.b64encode(_fill(decoded, values).encode("utf-8"))
                value = f"{scheme} {filled.decode('ascii')}"
        else:
            value = _fill(value, values)
        headers.append((name, value))
    body = request.body
    for placeholder, value in values.items():
        body = body.replace(placeholder.encode(), _xml_text(value))
    return RecordedRequest(request.method, request.path, tuple(headers), body)


def _xml_text(value: str) -> bytes:
    return value.replace("&", "&amp;").replace("<", "&lt;").encode("utf-8")
