"""ips-fake: a deterministic fake of Adobe Scene7 / Dynamic Media Classic IPS's job API.

Importing this package is cheap: the heavy parts (lxml, werkzeug) load when first used.

Example::

    from ips_fake import IpsFake, FakeServer
    with FakeServer(IpsFake()) as server:
        print(server.wsdl_url())
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["FakeServer", "IpsFake", "__version__"]

if TYPE_CHECKING:
    from ips_fake.fake import IpsFake
    from ips_fake.server import FakeServer


def __getattr__(name: str) -> Any:
    if name == "IpsFake":
        from ips_fake.fake import IpsFake

        return IpsFake
    if name == "FakeServer":
        from ips_fake.server import FakeServer

        return FakeServer
    raise AttributeError(f"module 'ips_fake' has no attribute {name!r}")
