"""The README's import, ``from ips_fake import IpsFake``, in a fresh interpreter: the package
loads the class lazily on first use, and that path runs nowhere else in the suite (every other
test imports ``ips_fake.fake`` directly, so the class is already loaded)."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
import ips_fake
before = sorted(m for m in ("ips_fake.fake", "ips_fake.server") if m in sys.modules)
from ips_fake import FakeServer, IpsFake
import ips_fake.fake, ips_fake.server
try:
    ips_fake.NoSuchThing
except AttributeError as error:
    missing = str(error)
fake = IpsFake()
print(json.dumps({
    "before": before,
    "is_the_class": IpsFake is ips_fake.fake.IpsFake,
    "server_is_the_class": FakeServer is ips_fake.server.FakeServer,
    "qualname": f"{IpsFake.__module__}.{IpsFake.__qualname__}",
    "instance": type(fake).__name__,
    "missing": missing,
    "all": sorted(ips_fake.__all__),
}))
"""


def test_from_ips_fake_import_ipsfake_gives_the_real_class() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=120
    )

    answer = json.loads(done.stdout)
    assert answer == {
        "before": [],
        "is_the_class": True,
        "server_is_the_class": True,
        "qualname": "ips_fake.fake.IpsFake",
        "instance": "IpsFake",
        "missing": "module 'ips_fake' has no attribute 'NoSuchThing'",
        "all": ["FakeServer", "IpsFake", "__version__"],
    }
