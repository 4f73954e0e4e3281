"""The HTTP exchanges a cassette holds: :class:`RecordedRequest`, :class:`RecordedResponse` and
:class:`Interaction`, their cassette-file JSON form, and the content decoding both sides use."""

from __future__ import annotations

import base64
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from ips_fake.wsgi import SERVICE_PATH, XML_SERVICE_PATH

MAX_BODY_BYTES = 64 * 1024 * 1024
"""The largest body a compressed body is inflated to (64 MiB) when it is decoded for storage
or comparison; a larger one is kept compressed."""

RESPONSE_HEADERS = ("content-type", "content-encoding")
"""Response headers a cassette keeps (lower case)."""


class CassetteError(ValueError):
    """A cassette file that cannot be read: the message says which field is wrong."""


def decode_content(body: bytes, encoding: str, limit: int = MAX_BODY_BYTES) -> bytes | None:
    """``body`` with its ``Content-Encoding`` undone: a comma-separated list of gzip, x-gzip,
    deflate and identity, undone last first (none: the body itself); None for another
    encoding, a broken stream, or one that inflates past ``limit`` bytes."""
    plain = body
    # codings are listed in the order they were applied: undo the last first
    for name in reversed([part.strip().lower() for part in encoding.split(",")]):
        if name in ("", "identity"):
            continue
        if name in ("gzip", "x-gzip"):
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif name == "deflate":
            inflater = zlib.decompressobj()
        else:
            return None
        try:
            plain = inflater.decompress(plain, limit + 1)
        except zlib.error:
            return None
        if len(plain) > limit or inflater.unconsumed_tail or not inflater.eof:
            return None
    return plain


def kept_headers(
    headers: Iterable[tuple[str, str]], names: Sequence[str]
) -> tuple[tuple[str, str], ...]:
    """The ``headers`` whose lower-cased name is in ``names``, names lower-cased, sorted."""
    return tuple(sorted((name.lower(), value) for name, value in headers if name.lower() in names))


def _encode_body(body: bytes) -> dict[str, str]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(body).decode("ascii")}
    return {"text": text}


def _decode_body(data: Any, where: str) -> bytes:
    if not isinstance(data, Mapping):
        raise CassetteError(f"{where}: body must be an object with 'text' or 'base64'")
    if "text" in data:
        return str(data["text"]).encode("utf-8")
    if "base64" in data:
        try:
            return base64.b64decode(str(data["base64"]), validate=True)
        except ValueError as error:
            raise CassetteError(f"{where}: body.base64 is not base64: {error}") from None
    raise CassetteError(f"{where}: body must have 'text' or 'base64'")


def _headers(data: Any, where: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(data, Mapping):
        raise CassetteError(f"{where}: headers must be an object of strings")
    return tuple((str(name).lower(), str(value)) for name, value in data.items())


@dataclass(frozen=True)
class RecordedRequest:
    """An HTTP request as a cassette keeps it: method, path with query, the headers of
    :data:`RECORDED_HEADERS` (secrets scrubbed), and the body bytes (decompressed when it was
    sent compressed and could be inflated)."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @property
    def is_soap(self) -> bool:
        """Whether this is a SOAP call (a POST to the service or to the plain XML endpoint),
        the kind replay compares."""
        return self.method == "POST" and urlsplit(self.path).path in (
            SERVICE_PATH,
            XML_SERVICE_PATH,
        )

    def header(self, name: str) -> str | None:
        """A header's value by case-insensitive name, or None."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key == wanted), None)


@dataclass(frozen=True)
class RecordedResponse:
    """An HTTP response as a cassette keeps it: status, content type and encoding, body."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def plain_body(self) -> bytes:
        """The body with a gzip or deflate content encoding undone (as stored when it cannot
        be undone)."""
        encoding = dict(self.headers).get("content-encoding", "")
        plain = decode_content(self.body, encoding)
        return self.body if plain is None else plain


@dataclass(frozen=True)
class Interaction:
    """One request, its response, and the fake's clock when it was sent (None if unknown)."""

    request: RecordedRequest
    response: RecordedResponse
    at: datetime | None = None

    def as_json_data(self) -> dict[str, Any]:
        """The interaction as cassette-file JSON data."""
        return {
            "at": self.at.isoformat() if self.at else None,
            "request": {
                "method": self.request.method,
                "path": self.request.path,
                "headers": dict(self.request.headers),
                "body": _encode_body(self.request.body),
            },
            "response": {
                "status": self.response.status,
                "headers": dict(self.response.headers),
                "body": _encode_body(self.response.body),
            },
        }

    @classmethod
    def from_json_data(cls, data: Any, where: str) -> Interaction:
        """Read one interaction of a cassette file; ``where`` names it in errors."""
        if not isinstance(data, Mapping):
            raise CassetteError(f"{where}: must be an object")
        request, response = data.get("request"), data.get("response")
        if not isinstance(request, Mapping) or not isinstance(response, Mapping):
            raise CassetteError(f"{where}: needs 'request' and 'response' objects")
        at_text = data.get("at")
        try:
            at = datetime.fromisoformat(str(at_text)) if at_text else None
            status = int(response.get("status", ""))
        except ValueError as error:
            raise CassetteError(f"{where}: {error}") from None
        if at is not None and at.tzinfo is None:
            raise CassetteError(f"{where}: 'at' needs a UTC offset, got {at_text!r}")
        return cls(
            request=RecordedRequest(
                method=str(request.get("method", "POST")).upper(),
                path=str(request.get("path", SERVICE_PATH)),
                headers=_headers(request.get("headers", {}), f"{where}.request"),
                body=_decode_body(request.get("body", {"text": ""}), f"{where}.request"),
            ),
            response=RecordedResponse(
                status=status,
                headers=_headers(response.get("headers", {}), f"{where}.response"),
                body=_decode_body(response.get("body", {"text": ""}), f"{where}.response"),
            ),
            at=at,
        )
