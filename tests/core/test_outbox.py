"""Job notification e-mails: which emailSetting mails when, to whom, in which language."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ips_fake.core.errors import FaultCode, IpsFault
from ips_fake.core.model import EmailSetting, JobKind, JobPayload, SubmitJobRequest
from ips_fake.fake import IpsFake
from ips_fake.transport import INPROCESS_BASE_URL, in_process_session
from tests.core.job_builders import T0


def publish(setting: EmailSetting | None) -> JobPayload:
    options: tuple[tuple[str, str], ...] = (("publishType", "Full"),)
    if setting is not None:
        options += (("emailSetting", setting.value),)
    return JobPayload(
        kind=JobKind.IMAGE_SERVING_PUBLISH,
        element="imageServingPublishJob",
        options=options,
        email_setting=setting,
        publish_type="Full",
    )


def run_one_job(
    setting: EmailSetting | None,
    outcome: str = "success",
    *,
    user_handle: str | None = None,
    locale: str | None = None,
) -> IpsFake:
    fake = IpsFake()
    fake.script(outcome)
    submitter = fake.directory.authenticate("ipsuser@example.com", "password")
    fake.service.submit_job(
        submitter,
        SubmitJobRequest("47", "mailer", publish(setting), user_handle=user_handle, locale=locale),
    )
    fake.advance(minutes=1)
    return fake


@pytest.mark.parametrize(
    ("setting", "outcome", "reasons"),
    [
        (EmailSetting.ALL, "success", ["start", "end"]),
        (EmailSetting.ALL, "fail", ["start", "end"]),
        (EmailSetting.JOB_COMPLETION, "success", ["end"]),
        (EmailSetting.JOB_COMPLETION, "fail", ["end"]),
        (EmailSetting.ERROR, "success", []),
        (EmailSetting.ERROR, "warn", []),
        (EmailSetting.ERROR, "fail", ["end"]),
        (EmailSetting.ERROR_AND_WARNING, "success", []),
        (EmailSetting.ERROR_AND_WARNING, "warn", ["end"]),
        (EmailSetting.ERROR_AND_WARNING, "fail", ["end"]),
        (EmailSetting.NONE, "success", []),
        (EmailSetting.NONE, "fail", []),
        (None, "fail", []),
    ],
)
def test_mail_per_email_setting_and_outcome(
    setting: EmailSetting | None, outcome: str, reasons: list[str]
) -> None:
    fake = run_one_job(setting, outcome)

    assert [mail.reason for mail in fake.outbox] == reasons
    assert all(mail.to == "ipsuser@example.com" for mail in fake.outbox)


def test_all_mails_at_start_and_end_with_subjects_bodies_and_times() -> None:
    fake = run_one_job(EmailSetting.ALL)

    start, end = fake.outbox
    assert (start.subject, start.body) == (
        "IPS job started: mailer",
        "Job mailer_2026-01-05-09:00:00.000 has started.",
    )
    assert (start.sent_at, end.sent_at) == (T0, T0 + timedelta(seconds=7))
    assert end.subject == "IPS job completed: mailer"
    assert end.body == (
        "Job mailer_2026-01-05-09:00:00.000: 3 succeeded, 0 failed, 0 warnings, "
        "0 duplicates skipped."
    )
    assert (end.company_id, end.job_name, end.run_id) == ("47", "mailer", 1)
    assert end.locale == "en-US"


def test_a_failed_run_mails_a_failure_subject() -> None:
    fake = run_one_job(EmailSetting.ERROR, "fail")

    [mail] = fake.outbox
    assert mail.subject == "IPS job failed: mailer"
    assert "1 failed" in mail.body


@pytest.mark.parametrize("handle", ["u|1|ipsuser@example.com", "companyadmin@example.com"])
def test_user_handle_names_the_recipient(handle: str) -> None:
    fake = IpsFake()
    recipient = fake.directory.find_user(handle)
    assert recipient is not None

    fake = run_one_job(EmailSetting.JOB_COMPLETION, user_handle=recipient.handle)

    assert [mail.to for mail in fake.outbox] == [recipient.email]


def test_user_handle_of_another_company_or_nobody_is_refused() -> None:
    fake = IpsFake()
    submitter = fake.directory.authenticate("ipsuser@example.com", "password")

    with pytest.raises(IpsFault) as outsider:
        fake.service.submit_job(
            submitter,
            SubmitJobRequest("47", "x", publish(EmailSetting.ALL), user_handle="other@example.com"),
        )
    with pytest.raises(IpsFault) as nobody:
        fake.service.submit_job(
            submitter,
            SubmitJobRequest("47", "x", publish(EmailSetting.ALL), user_handle="no@example.com"),
        )

    assert outsider.value.code == FaultCode.ILLEGAL_REQUEST_USER
    assert nobody.value.code == FaultCode.INVALID_REQUEST_USER
    assert fake.outbox == []


@pytest.mark.parametrize(
    ("locale", "subject"),
    [
        ("fr-FR", "Tâche IPS terminée : mailer"),
        ("sv", "IPS-jobb klart: mailer"),
        ("ko-KR", "IPS 작업 완료됨: mailer"),
        ("de-DE", "IPS job completed: mailer"),
    ],
)
def test_mail_follows_the_job_locale(locale: str, subject: str) -> None:
    fake = run_one_job(EmailSetting.JOB_COMPLETION, locale=locale)

    [mail] = fake.outbox
    assert (mail.subject, mail.locale) == (subject, locale)


def test_each_run_of_a_schedule_mails_in_order() -> None:
    fake = IpsFake()
    submitter = fake.directory.authenticate("ipsuser@example.com", "password")
    fake.service.submit_job(
        submitter,
        SubmitJobRequest(
            "47", "hourly", publish(EmailSetting.JOB_COMPLETION), exec_schedule="0 0 * * * ?"
        ),
    )

    fake.advance(hours=3, minutes=1)

    assert [mail.sent_at for mail in fake.outbox] == [
        T0 + timedelta(hours=hour, seconds=7) for hour in (1, 2, 3)
    ]
    assert [mail.run_name for mail in fake.outbox] == [
        f"hourly_2026-01-05-{hour}:00:00.000" for hour in (10, 11, 12)
    ]


def test_outbox_through_the_admin_api_matches_the_python_view() -> None:
    fake = run_one_job(EmailSetting.ALL, user_handle="companyadmin@example.com", locale="sv-SE")
    session = in_process_session(fake.app)

    response = session.get(INPROCESS_BASE_URL + "/_fake/outbox")

    assert response.status_code == 200
    mails = response.json()
    assert [(m["to"], m["reason"], m["locale"]) for m in mails] == [
        ("companyadmin@example.com", "start", "sv-SE"),
        ("companyadmin@example.com", "end", "sv-SE"),
    ]
    assert [m["subject"] for m in mails] == [mail.subject for mail in fake.outbox]
    assert mails[1]["sent_at"] == "2026-01-05T09:00:07.000+00:00"
    assert mails[0]["subject"] == "IPS-jobb startat: mailer"
