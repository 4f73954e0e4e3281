"""JSON back into the core's values: the inverse of :func:`ips_fake.admin.jsonable`.

The admin API writes dataclasses, enums, datetimes and bytes as plain JSON; :func:`from_json`
rebuilds them from a type, so a fake driven over HTTP hands out the same types as one in this
process (:mod:`ips_fake.control`).
"""

from __future__ import annotations

import dataclasses
import sys
import types
from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from typing import Any, ForwardRef, Union, get_args, get_origin, get_type_hints

__all__ = ["from_json"]


def from_json(kind: Any, data: Any, namespace: Mapping[str, Any] | None = None) -> Any:
    """Rebuild a value of type ``kind`` (a dataclass, enum, datetime, tuple, union, ...) from the
    JSON the admin API wrote with :func:`ips_fake.admin.jsonable`.

    Example::

        from_json(Notification, requests.get(base + "/_fake/outbox").json()[0])
    """
    namespace = namespace or {}
    if isinstance(kind, ForwardRef):
        kind = namespace[kind.__forward_arg__]
    if isinstance(kind, str):
        kind = namespace[kind]
    origin = get_origin(kind)
    arguments = get_args(kind)
    if kind is Any:
        return data
    if origin in (Union, types.UnionType):
        if data is None and type(None) in arguments:
            return None
        for member in arguments:
            if member is type(None):
                continue
            try:
                return from_json(member, data, namespace)
            except (TypeError, ValueError, KeyError):
                continue
        raise TypeError(f"{data!r} is none of {kind}")
    if origin in (tuple, list, frozenset, set):
        if not isinstance(data, list):
            raise TypeError(f"expected a JSON array for {kind}, got {data!r}")
        if origin is tuple and not (len(arguments) == 2 and arguments[1] is Ellipsis):
            if len(arguments) != len(data):
                raise TypeError(f"expected {len(arguments)} items for {kind}, got {data!r}")
            return tuple(from_json(a, d, namespace) for a, d in zip(arguments, data, strict=True))
        items = [from_json(arguments[0], item, namespace) for item in data]
        return origin(items)
    if origin is dict:
        if not isinstance(data, dict):
            raise TypeError(f"expected a JSON object for {kind}, got {data!r}")
        return {key: from_json(arguments[1], value, namespace) for key, value in data.items()}
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        if not isinstance(data, dict):
            raise TypeError(f"expected a JSON object for {kind.__name__}, got {data!r}")
        module_namespace = vars(sys.modules[kind.__module__])
        hints = get_type_hints(kind, globalns=module_namespace)
        values = {
            item.name: from_json(hints[item.name], data[item.name], module_namespace)
            for item in dataclasses.fields(kind)
            if item.init and item.name in data
        }
        return kind(**values)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind(data)
    if kind is datetime:
        if not isinstance(data, str):
            raise TypeError(f"expected an ISO date-time, got {data!r}")
        return datetime.fromisoformat(data)
    if kind is bytes:
        if not isinstance(data, str):
            raise TypeError(f"expected text for bytes, got {data!r}")
        return data.encode("utf-8")
    if kind is float and isinstance(data, int | float) and not isinstance(data, bool):
        return float(data)
    if kind in (str, int, bool) and type(data) is kind:
        return data
    raise TypeError(f"cannot read {data!r} as {kind}")
