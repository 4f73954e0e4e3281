"""The pytest plugin (registered through the ``pytest11`` entry point).

Importing this module imports nothing heavy; the fake is built when a fixture is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from ips_fake.fake import IpsFake


@pytest.fixture
def ips_fake() -> Iterator[IpsFake]:
    """A fresh in-memory fake IPS for one test (default directory, manual clock)."""
    from ips_fake.fake import IpsFake

    yield IpsFake()
