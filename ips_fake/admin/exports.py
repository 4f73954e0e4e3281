"""The archive ``GET /_fake/exports/<run id>.zip`` answers: small and deterministic."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime


def export_zip(run_name: str, handles: tuple[str, ...], stamp: datetime) -> bytes:
    """A small deterministic ZIP: a manifest listing the handles, and one file per handle."""
    buffer = io.BytesIO()
    date_time = (
        max(stamp.year, 1980),
        stamp.month,
        stamp.day,
        stamp.hour,
        stamp.minute,
        stamp.second,
    )
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        manifest = "\n".join(handles) + "\n"
        archive.writestr(zipfile.ZipInfo("manifest.txt", date_time), manifest)
        for index, handle in enumerate(handles, start=1):
            archive.writestr(
                zipfile.ZipInfo(f"assets/{index:04d}.txt", date_time),
                f"exported by {run_name}: {handle}\n",
            )
    return buffer.getvalue()
