"""Keeping long-lived state small: dicts that give back their room, fields rarely set.

A dict never shrinks its table when keys are deleted: one that held 20,000 runs in progress
keeps room for them once they have finished. :func:`compacted` copies such a dict into one
sized for what it holds (the pattern :class:`ips_fake.core.jobs.Timeline` applies to its own
index).

Every job ever submitted and every kept run stays in memory, and most of their fields keep
their default for good (a run is never paused, a job never deleted): :class:`RareField` keeps
such a field in a per-object dict made when one of them is first set, instead of a slot each.
"""

from __future__ import annotations

import sys
from typing import Generic, Protocol, TypeVar, overload

Key = TypeVar("Key")
Value = TypeVar("Value")

#: Tables this small (bytes) are left alone: copying them gives back too little to matter.
ROOM_FLOOR = 16 * 1024
#: A dict's table costs at least this many bytes per slot (a key and a value pointer).
_SLOT_BYTES = 16
#: A dict is copied once its table could hold this many times its entries.
_SPARSENESS = 8


def compacted(mapping: dict[Key, Value]) -> dict[Key, Value]:
    """``mapping`` itself, or, when its table (over :data:`ROOM_FLOOR` bytes) has room for
    :data:`_SPARSENESS` times its entries or more, a copy sized for them (equal, in the same
    order). A fresh copy is far from that bound, so many deletions pass between two copies:
    calling this after every deletion costs amortized O(1)."""
    size = sys.getsizeof(mapping)
    if size > ROOM_FLOOR and len(mapping) * _SLOT_BYTES * _SPARSENESS < size:
        return dict(mapping)
    return mapping


class HasRareFields(Protocol):
    """An object with :class:`RareField` s: a ``_rare`` slot, None until one is set."""

    _rare: dict[str, object] | None


class RareField(Generic[Value]):
    """A field most objects of a class leave at its default: read from the object's dict of
    rare fields (its ``_rare`` slot), which exists only once one of them is set to something
    else. Reading costs a dict look-up at most; an object that never sets one costs a slot
    for all of them."""

    def __init__(self, default: Value) -> None:
        self._default = default
        self._name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, holder: None, owner: type) -> RareField[Value]: ...
    @overload
    def __get__(self, holder: HasRareFields, owner: type) -> Value: ...
    def __get__(self, holder: HasRareFields | None, owner: type) -> Value | RareField[Value]:
        if holder is None:
            return self
        rare = holder._rare
        if rare is None:
            return self._default
        return rare.get(self._name, self._default)  # type: ignore[return-value]

    def __set__(self, holder: HasRareFields, value: Value) -> None:
        rare = holder._rare
        if rare is None:
            if value is self._default or value == self._default:
                return
            rare = holder._rare = {}
        rare[self._name] = value
