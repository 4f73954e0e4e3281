"""Giving back the room of a dict that once held many more entries than it holds now.

A dict never shrinks its table when keys are deleted: one that held 20,000 runs in progress
keeps room for them once they have finished. :func:`compacted` copies such a dict into one
sized for what it holds (the pattern :class:`ips_fake.core.jobs.Timeline` applies to its own
index).
"""

from __future__ import annotations

import sys
from typing import TypeVar

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
