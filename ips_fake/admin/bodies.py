"""Reading an admin request's JSON body: its size and depth bounded (docs/limits.md), its
keys and values checked, every refusal a 4xx with a reason."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

from werkzeug.exceptions import BadRequest, RequestEntityTooLarge
from werkzeug.wrappers import Request

#: The largest admin request body (bytes); a larger one gets 413.
MAX_ADMIN_BODY = 1024 * 1024
#: How deep a JSON body may nest; deeper gets 400 (no admin route takes more than 3).
MAX_JSON_DEPTH = 32
#: Most characters of a Content-Length value read as a number of bytes (werkzeug reads one of
#: more than 4,300 digits, leading zeros included, as no body at all).
MAX_CONTENT_LENGTH_DIGITS = 20


def stated_content_length(request: Request) -> int | None:
    """The request's Content-Length, None without one (or with a chunked body, whose length
    HTTP takes from its chunks); 400 (BadRequest) for a value that is
    not a plain number of bytes of at most :data:`MAX_CONTENT_LENGTH_DIGITS` digits
    (werkzeug reads ``+12``, ``1_2`` or thousands of digits as no body at all, and the
    request would be answered as if it had sent none). docs/limits.md, "Admin API"."""
    text = request.headers.get("Content-Length")
    if text is None or "chunked" in request.headers.get("Transfer-Encoding", "").lower():
        return None
    digits = text.strip()
    if not (digits.isascii() and digits.isdigit()) or len(digits) > MAX_CONTENT_LENGTH_DIGITS:
        raise BadRequest(f"Content-Length {text[:40]!r} is not a number of bytes")
    return int(digits)


def _depth_ok(text: bytes) -> bool:
    """Whether JSON text nests at most :data:`MAX_JSON_DEPTH` deep (a cheap bracket count that
    strings may fool only towards refusing)."""
    depth = 0
    for byte in text:
        if byte in b"[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return False
        elif byte in b"]}":
            depth -= 1
    return True


def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object; 413, 400 (not JSON, not an object, too deep, a
    Content-Length that is not a number: :func:`stated_content_length`) otherwise."""
    length = stated_content_length(request)
    if length is not None and length > MAX_ADMIN_BODY:
        raise RequestEntityTooLarge(
            f"admin request bodies are at most {MAX_ADMIN_BODY} bytes; this one says {length}"
        )
    raw = request.stream.read(MAX_ADMIN_BODY + 1)
    if len(raw) > MAX_ADMIN_BODY:
        raise RequestEntityTooLarge(f"admin request bodies are at most {MAX_ADMIN_BODY} bytes")
    if not raw.strip():
        return {}
    if not _depth_ok(raw):
        raise BadRequest(f"the body nests deeper than {MAX_JSON_DEPTH} levels")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as error:  # JSONDecodeError, bad UTF-8, huge ints
        raise BadRequest(f"the body is not JSON: {error}") from None
    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object")
    return data


def only_keys(body: Mapping[str, Any], allowed: Iterable[str], route: str) -> None:
    """400 naming the unknown keys when ``body`` has a key not in ``allowed`` (``route`` says
    which route takes what)."""
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise BadRequest(
            f"{route} takes {', '.join(repr(key) for key in allowed)}; unknown key(s): "
            f"{', '.join(repr(key) for key in unknown)}"
        )


def number_field(body: Mapping[str, Any], key: str) -> float | None:
    """``body[key]`` as a finite number (JSON true/false are not numbers), or None if absent."""
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadRequest(f"{key!r} must be a number, got {json.dumps(value)}")
    if not math.isfinite(value):
        raise BadRequest(f"{key!r} must be a finite number, got {value}")
    return float(value)


def text_field(body: Mapping[str, Any], key: str, *, required: bool = False) -> str | None:
    """``body[key]`` as a string, or None if absent (400 when ``required``)."""
    value = body.get(key)
    if value is None:
        if required:
            raise BadRequest(f"{key!r} is required")
        return None
    if not isinstance(value, str):
        raise BadRequest(f"{key!r} must be a string, got {json.dumps(value)}")
    return value
