"""The cassette and its file: :class:`Cassette`, :class:`CassetteMetadata`, and the
deterministic JSON format (``ips-fake-cassette/2``; format 1 is still read)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ips_fake.recording.exchanges import CassetteError, Interaction
from ips_fake.recording.inspection import request_version
from ips_fake.scrubbing import Identity, Scrubber

CASSETTE_FORMAT = "ips-fake-cassette/2"
"""The ``format`` field of every cassette file this version writes."""

READABLE_FORMATS = ("ips-fake-cassette/1", CASSETTE_FORMAT)
"""The ``format`` values this version reads (format 1 has no metadata)."""

MAX_CASSETTE_BYTES = 64 * 1024 * 1024
"""The largest cassette file read (64 MiB): a larger one is a :class:`CassetteError`."""


@dataclass(frozen=True)
class CassetteMetadata:
    """What a cassette was recorded against, and when.

    ``recorded_at``: when recording started (set by the recorder's caller, e.g. ``ips-fake
    record``, from the wall clock; None when unknown). ``upstream``: the scheme and host (and
    port) recorded against, never a path, user or query. ``ips_fake_version``: the version
    that recorded it. ``identity``: ``"map"`` when users and company ids were stored as
    stand-ins (``user-N@example.invalid``, ``1``, ``2``, … see :mod:`ips_fake.scrubbing`),
    ``"keep"`` (also for a file that does not say) when stored as sent. The API versions are
    worked out from the requests (:meth:`Cassette.api_versions`) when the file is written.
    """

    recorded_at: datetime | None = None
    upstream: str | None = None
    ips_fake_version: str | None = None
    identity: Identity = "keep"

    @staticmethod
    def origin(url: str) -> str:
        """``scheme://host[:port]`` of ``url``: what a cassette keeps of an upstream URL."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{host}{port}"


@dataclass
class Cassette:
    """Recorded interactions, oldest first, saved as deterministic JSON.

    ``scrubber`` (not saved) turns the secrets of every request a recorder adds into
    placeholders, numbered across the whole cassette.

    Example::

        cassette = Cassette.load("fixtures/cassettes/seed-submit-job.json")
        [step.request.path for step in cassette.interactions]
    """

    interactions: list[Interaction] = field(default_factory=list)
    description: str = ""
    metadata: CassetteMetadata = field(default_factory=CassetteMetadata)
    scrubber: Scrubber = field(default_factory=Scrubber, compare=False, repr=False)

    def api_versions(self) -> list[str]:
        """The API version labels the recorded requests used, in order of first use."""
        seen: list[str] = []
        for step in self.interactions:
            label = request_version(step.request)
            if label is not None and label not in seen:
                seen.append(label)
        return seen

    def to_json(self) -> str:
        """The cassette file's text: the same interactions always give the same bytes."""
        meta = self.metadata
        data = {
            "format": CASSETTE_FORMAT,
            "description": self.description,
            "metadata": {
                "recorded_at": meta.recorded_at.isoformat() if meta.recorded_at else None,
                "upstream": meta.upstream,
                "api_versions": self.api_versions(),
                "ips_fake_version": meta.ips_fake_version,
            },
            "interactions": [step.as_json_data() for step in self.interactions],
        }
        if meta.identity == "map":  # absent means "keep": files written before it still match
            data["metadata"]["identity"] = meta.identity  # type: ignore[index]
        return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Cassette:
        """Read a cassette file's text (format 1 or 2); raises :class:`CassetteError` saying
        what is wrong."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise CassetteError(f"a cassette must be JSON: {error}") from None
        except RecursionError:
            raise CassetteError("a cassette must be JSON: nested too deeply") from None
        if not isinstance(data, Mapping) or data.get("format") not in READABLE_FORMATS:
            raise CassetteError(
                f"not a cassette: the 'format' field must be one of {', '.join(READABLE_FORMATS)}"
            )
        steps = data.get("interactions")
        if not isinstance(steps, list):
            raise CassetteError("a cassette needs an 'interactions' list")
        return cls(
            interactions=[
                Interaction.from_json_data(step, f"interactions[{index}]")
                for index, step in enumerate(steps)
            ],
            description=str(data.get("description", "")),
            metadata=_metadata(data.get("metadata")),
        )

    @classmethod
    def load(cls, path: str | Path) -> Cassette:
        """Read a cassette file of at most :data:`MAX_CASSETTE_BYTES`; raises OSError when it
        cannot be opened, :class:`CassetteError` when it is too large or not a cassette."""
        with Path(path).open("rb") as file:
            raw = file.read(MAX_CASSETTE_BYTES + 1)
        if len(raw) > MAX_CASSETTE_BYTES:
            raise CassetteError(f"a cassette file is at most {MAX_CASSETTE_BYTES} bytes")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise CassetteError(f"a cassette must be UTF-8 JSON: {error}") from None
        return cls.from_json(text)

    def save(self, path: str | Path) -> None:
        """Write the cassette file (parent folders are created) through a temporary file
        renamed into place, so a reader never sees half a cassette."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        partial.write_text(self.to_json(), encoding="utf-8")
        partial.replace(target)


def _metadata(data: Any) -> CassetteMetadata:
    if not isinstance(data, Mapping):
        return CassetteMetadata()
    at_text = data.get("recorded_at")
    try:
        recorded_at = datetime.fromisoformat(str(at_text)) if at_text else None
    except ValueError as error:
        raise CassetteError(f"metadata.recorded_at: {error}") from None
    upstream, version = data.get("upstream"), data.get("ips_fake_version")
    identity = data.get("identity", "keep")
    if identity not in ("keep", "map"):
        raise CassetteError(f"metadata.identity must be 'keep' or 'map', not {identity!r}")
    return CassetteMetadata(
        recorded_at=recorded_at,
        upstream=str(upstream) if upstream is not None else None,
        ips_fake_version=str(version) if version is not None else None,
        identity="map" if identity == "map" else "keep",
    )
