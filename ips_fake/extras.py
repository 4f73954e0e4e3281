"""ips-fake's optional extras, named once, and the install command a hint should give.

``client`` (zeep and requests: the plugin's ``client()``, the in-process transport, the
``--url`` commands), ``contract`` (Hypothesis: :mod:`ips_fake.strategies`) and ``freezegun``
(the clock mode that follows freezegun). ips-fake is installed from a clone or a wheel, not
from a package index, so a hint names where this install came from (docs/install.md):

Example::

    install_command("client")   # pip install '/src/ips-fake[client]' for a clone's install
"""

from __future__ import annotations

import json
from importlib import metadata
from urllib.parse import unquote, urlsplit

__all__ = ["EXTRAS", "install_command", "missing_extra"]

#: Each extra and what it brings.
EXTRAS = {
    "client": "zeep and requests: the plugin's client(), the in-process transport, --url",
    "contract": "hypothesis: the strategies of ips_fake.strategies",
    "freezegun": "freezegun: the clock mode that follows freezegun.freeze_time",
}


def _installed_from() -> str | None:
    """The local folder or wheel this ips-fake was pip-installed from (PEP 610's
    ``direct_url.json``), or None when that is unknown."""
    try:
        text = metadata.distribution("ips-fake").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        return None
    if not text:
        return None
    try:
        url = str(json.loads(text).get("url", ""))
    except ValueError:
        return None
    parts = urlsplit(url)
    return unquote(parts.path) if parts.scheme == "file" and parts.path else None


def install_command(*extras: str) -> str:
    """The pip command that adds ``extras`` to this install: from the clone or wheel it came
    from when pip recorded one, else ``pip install 'ips-fake[...]'``."""
    unknown = [name for name in extras if name not in EXTRAS]
    if unknown:
        raise ValueError(f"unknown extra(s) {unknown}; ips-fake has {', '.join(EXTRAS)}")
    source = _installed_from() or "ips-fake"
    return f"pip install '{source}[{','.join(extras)}]'"


def missing_extra(what: str, module: str, extra: str) -> str:
    """A one-line hint: ``what`` needs ``module``, from the extra ``extra``, and how to get it.

    Example::

        missing_extra("ips_fake.client()", "zeep", "client")
    """
    return f"{what} needs {module} (the [{extra}] extra): {install_command(extra)}"
