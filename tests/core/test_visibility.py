"""No existence oracle across companies: a job, run or log handle of a company the caller may
not use gets exactly the answer a handle naming nothing gets, on every operation that takes
a handle."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from ips_fake.core.directory import User
from ips_fake.core.errors import IpsFault
from ips_fake.core.service import IpsService
from ips_fake.fake import IpsFake
from tests.core.job_builders import submit

Operation = Callable[[IpsService, User, str], object]

OPERATIONS: dict[str, Operation] = {
    "executeJob": lambda service, user, handle: service.execute_job(user, "c|48", handle),
    "stopJob": lambda service, user, handle: service.stop_job(user, "c|48", handle),
    "pauseJob": lambda service, user, handle: service.pause_job(user, "c|48", handle),
    "resumeJob": lambda service, user, handle: service.resume_job(user, "c|48", handle),
    "deleteJob": lambda service, user, handle: service.delete_job(user, "c|48", handle),
    "getActiveJobs": lambda service, user, handle: service.get_active_jobs(user, "c|48", handle),
    "getScheduledJobs": lambda service, user, handle: service.get_scheduled_jobs(
        user, "c|48", handle
    ),
    "getJobLogDetails": lambda service, user, handle: service.get_job_log_details(
        user, "c|48", handle
    ),
}


def answer(operation: Operation, fake: IpsFake, handle: str) -> tuple[str, int, str]:
    other = fake.directory.authenticate("other@example.com", "password")
    with pytest.raises(IpsFault) as raised:
        operation(fake.service, other, handle)
    fault = raised.value
    return fault.kind.value, fault.code, fault.reason.replace(handle, "<handle>")


@pytest.fixture
def fake() -> IpsFake:
    fake = IpsFake()
    submit(fake, "Secret", exec_schedule="0 0 * * * ?")  # a scheduled job of company 47
    submit(fake, "Finished")
    fake.advance(minutes=1)
    return fake


@pytest.mark.parametrize("name", sorted(OPERATIONS))
@pytest.mark.parametrize("style", ["j|47|{}||", "47|{}|"])
def test_another_companys_job_handle_answers_like_one_naming_nothing(
    fake: IpsFake, name: str, style: str
) -> None:
    operation = OPERATIONS[name]

    existing = answer(operation, fake, style.format("Secret"))
    missing = answer(operation, fake, style.format("Nothing"))

    assert existing == missing == ("ipsApiFault", 30001, "jobHandle '<handle>' names no job")


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_another_companys_run_and_log_handles_answer_like_one_naming_nothing(
    fake: IpsFake, name: str
) -> None:
    operation = OPERATIONS[name]
    fake.service.execute_job(
        fake.directory.authenticate("ipsuser@example.com", "password"), "47", "47|Secret|"
    )
    [running] = fake.active_jobs
    [finished] = fake.job_logs
    live = f"j|47||{running.name}|{running.run_id}"
    logged = f"j|47||{finished.job_name}|{finished.run_id}"

    assert (
        answer(operation, fake, live)
        == answer(operation, fake, logged)
        == answer(operation, fake, "j|47||Nothing_2026-01-05-09:00:00.000|99")
        == ("ipsApiFault", 30001, "jobHandle '<handle>' names no job")
    )


def test_a_user_of_both_companies_still_learns_the_handle_is_the_other_companys() -> None:
    fake = IpsFake()
    submit(fake, "Mine")
    admin = fake.directory.authenticate("ipsadmin@example.com", "password")

    with pytest.raises(IpsFault) as raised:
        fake.service.delete_job(admin, "c|48", "j|47|Mine||")

    assert raised.value.code == 30001
    assert "belongs to company 47" in raised.value.reason


def test_nothing_changes_for_the_job_another_company_asked_about(fake: IpsFake) -> None:
    for operation in OPERATIONS.values():
        answer(operation, fake, "j|47|Secret||")
    fake.advance(timedelta(hours=1).total_seconds())

    [job] = fake.scheduled_jobs
    assert (job.name, job.trigger_state.value) == ("Secret", "Normal")
