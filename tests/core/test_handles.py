from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ips_fake.core.handles import (
    HandleStyle,
    ParsedHandle,
    company_handle,
    company_id_of,
    job_handle,
    parse_handle,
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


# -- one to one ---------------------------------------------------------------------------------

COMPANY_IDS = st.from_regex(r"[0-9]{1,6}", fullmatch=True)
JOB_NAMES = st.text(min_size=1, max_size=20).filter(lambda name: "|" not in name and name.strip())


@pytest.mark.parametrize("text", ["j", "c|j", "4a", "٤٧", "c|4|7", "-1", "4 7"])
def test_a_company_id_is_digits(text: str) -> None:
    assert company_id_of(text) is None


@given(
    first=st.tuples(COMPANY_IDS, JOB_NAMES, st.sampled_from(HandleStyle)),
    second=st.tuples(COMPANY_IDS, JOB_NAMES, st.sampled_from(HandleStyle)),
)
def test_job_handles_of_different_jobs_never_collide_and_parse_back(
    first: tuple[str, str, HandleStyle], second: tuple[str, str, HandleStyle]
) -> None:
    first_handle, second_handle = job_handle(*first), job_handle(*second)

    assert (first_handle == second_handle) == (first == second)
    assert parse_handle(first_handle) == ParsedHandle(first[0], first[1], first[2], "job")


@given(
    company=COMPANY_IDS,
    name=JOB_NAMES,
    other_company=COMPANY_IDS,
    other_name=JOB_NAMES,
    style=st.sampled_from(HandleStyle),
    other_style=st.sampled_from(HandleStyle),
    run_id=st.integers(min_value=1, max_value=10**9),
)
def test_run_handles_never_read_as_job_handles_and_parse_back(
    company: str,
    name: str,
    other_company: str,
    other_name: str,
    style: HandleStyle,
    other_style: HandleStyle,
    run_id: int,
) -> None:
    started = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    run = run_handle(company, run_name(name, started), run_id, style)

    assert run != job_handle(other_company, other_name, other_style)
    parsed = parse_handle(run)
    assert parsed is not None
    assert (parsed.company_id, parsed.name, parsed.style, parsed.kind) == (
        company,
        run_name(name, started),
        style,
        "run",
    )
    assert parsed.run_id == (run_id if style is HandleStyle.MODERN else None)


def test_the_pre_4_handle_of_a_lettered_company_no_longer_exists() -> None:
    # company "j" + "47|X|" used to give company 47's modern handle for job X
    assert company_id_of("j") is None
    assert parse_handle("j|47|X||") == ParsedHandle("47", "X", HandleStyle.MODERN, "job")
    assert parse_handle("j|47||x||") is None
