"""A downstream project's test file, as a user of ips-fake would write it.

It relies on nothing but the installed plugin (no conftest, no imports from ips_fake): the
``ips_fake`` fixture comes from the ``pytest11`` entry point. The plugin's own tests copy it
into an empty project and run it with pytester.
"""

from datetime import UTC, datetime

import pytest


def schedule_nightly_publish(client, company_handle):
    """The code under test: schedule a full Image Serving publish every night at 02:00."""
    return client.service.submitJob(
        companyHandle=company_handle,
        jobName="nightly-publish",
        execSchedule="0 0 2 * * ?",
        imageServingPublishJob={"publishType": "Full", "emailSetting": "All"},
    )


@pytest.mark.parametrize("transport", ["http", "inprocess"])
def test_nightly_publish_runs_at_two_and_mails_the_submitter(ips_fake, transport):
    client = ips_fake.client(transport=transport)

    handle = schedule_nightly_publish(client, "c|47")

    assert handle == "j|47|nightly-publish||"
    assert [job.name for job in ips_fake.scheduled_jobs] == ["nightly-publish"]
    assert ips_fake.job_logs == []

    ips_fake.move_to(datetime(2026, 1, 6, 2, 0, tzinfo=UTC))  # the first fire
    ips_fake.advance(minutes=1)  # the run takes a few simulated seconds

    [log] = ips_fake.job_logs
    assert log.original_job_name == "nightly-publish"
    assert log.start_date == datetime(2026, 1, 6, 2, 0, tzinfo=UTC)
    assert (log.file_success_count, log.file_error_count) == (3, 0)
    assert [(mail.to, mail.reason) for mail in ips_fake.outbox] == [
        ("ipsuser@example.com", "start"),
        ("ipsuser@example.com", "end"),
    ]
    # the same log through the API, and the request as the fake understood it
    logs = client.service.getJobLogs(companyHandle="c|47")
    assert [entry.jobName for entry in logs] == [log.job_name]
    submit = ips_fake.journal[0]
    assert (submit.operation, submit.caller) == ("submitJob", "ipsuser@example.com")
    assert submit.params["request"].exec_schedule == "0 0 2 * * ?"
