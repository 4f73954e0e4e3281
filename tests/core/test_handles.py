from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ips_fake.core.handles import (
    HandleStyle,
    company_handle,
    company_id_of,
    job_handle,
    run_handle,
    run_name,
    user_handle,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("47", "47"), ("c|47", "47"), (" 47 ", "47"), ("c|", None), ("", None), ("x|47", None)],
)
def test_company_id_of_reads_both_styles(text: str, expected: str | None) -> None:
    assert company_id_of(text) == expected


def test_seed_job_handles() -> None:
    assert job_handle("47", "My Test Job", HandleStyle.LEGACY) == "47|My Test Job|"
    assert job_handle("47", "My Test Job", HandleStyle.MODERN) == "j|47|My Test Job||"
    assert company_handle("47", HandleStyle.LEGACY) == "47"
    assert company_handle("47", HandleStyle.MODERN) == "c|47"


def test_run_names_and_handles_carry_the_start_time_to_the_millisecond() -> None:
    started = datetime(2026, 1, 5, 9, 3, 7, 45_999, tzinfo=UTC)
    name = run_name("Nightly | export", started)
    assert name == "Nightly | export_2026-01-05-09:03:07.045"
    assert run_handle("47", name, 12, HandleStyle.LEGACY) == f"47||{name}"
    assert run_handle("47", name, 12, HandleStyle.MODERN) == f"j|47||{name}|12"


def test_user_handle() -> None:
    assert user_handle(3, "a@example.com") == "u|3|a@example.com"
