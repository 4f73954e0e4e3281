"""JSON answers of the admin API and the dashboard: plain JSON data from the core's values
(:func:`jsonable`, read back by :mod:`ips_fake.jsonvalues`) and a JSON response."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from enum import Enum
from typing import Any

from werkzeug.wrappers import Response


def jsonable(value: Any) -> Any:
    """Plain JSON data from dataclasses, enums, datetimes, bytes and containers."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat(timespec="milliseconds")
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(item) for item in value]
    return value


def json_response(data: Any, status: int = 200) -> Response:
    """A JSON response."""
    body = json.dumps(jsonable(data), ensure_ascii=False, sort_keys=True, indent=2)
    return Response(body, status=status, content_type="application/json; charset=utf-8")
