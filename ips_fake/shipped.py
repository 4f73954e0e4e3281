"""The contract cases and cassettes that ship with ips-fake.

A clone has them in ``contracts/cases/`` and ``fixtures/cassettes/``; the wheel carries the
same files as package data (``ips_fake/data/cases/`` and ``ips_fake/data/cassettes/``), so a
pip-installed ips-fake can check them (``ips-fake check`` with no folder) and write them out
(``ips-fake cases DIR``).

Example::

    from ips_fake.contracts import check_in_process, load_cases
    from ips_fake.shipped import contract_cases_folder

    results = check_in_process(load_cases(contract_cases_folder()))
"""

from __future__ import annotations

import shutil
from pathlib import Path

__all__ = ["cassettes_folder", "contract_cases_folder", "write_out"]

_PACKAGE = Path(__file__).resolve().parent
_REPOSITORY = _PACKAGE.parent


def _first_folder(*candidates: Path) -> Path:
    for folder in candidates:
        if folder.is_dir() and any(folder.glob("*.json")):
            return folder
    raise FileNotFoundError(
        "this ips-fake install has no "
        + candidates[0].name
        + " folder: reinstall it from a wheel or a clone of the repository (docs/install.md)"
    )


def contract_cases_folder() -> Path:
    """The folder of the shipped contract cases (the wheel's package data, else the clone's
    ``contracts/cases``)."""
    return _first_folder(_PACKAGE / "data" / "cases", _REPOSITORY / "contracts" / "cases")


def cassettes_folder() -> Path:
    """The folder of the shipped cassettes (the wheel's package data, else the clone's
    ``fixtures/cassettes``)."""
    return _first_folder(_PACKAGE / "data" / "cassettes", _REPOSITORY / "fixtures" / "cassettes")


def write_out(destination: str | Path) -> list[Path]:
    """Copy the shipped cases to ``destination/cases`` and cassettes to
    ``destination/cassettes``; files already there are left alone (FileExistsError naming
    the first). Returns the files written."""
    root = Path(destination)
    plan = [
        (source, root / folder_name / source.name)
        for folder_name, folder in (
            ("cases", contract_cases_folder()),
            ("cassettes", cassettes_folder()),
        )
        for source in sorted(folder.glob("*.json"))
    ]
    for _, target in plan:
        if target.exists():
            raise FileExistsError(f"{target} exists already; choose an empty folder")
    for source, target in plan:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return [target for _, target in plan]
