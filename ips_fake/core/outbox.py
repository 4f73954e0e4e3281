"""The outbox of :class:`ips_fake.core.simulation.Simulation`: the notification mails a run
sends when it starts and ends, per its job's email setting, kept per company up to the log
retention bound (oldest dropped first).

Everything here runs under the service's lock.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime

from ips_fake.core.messages import localized
from ips_fake.core.model import EmailSetting, Notification
from ips_fake.core.runs import JobOfRun, Run
from ips_fake.core.settings import ServiceSettings


class Outbox:
    """The mail-sending part of :class:`ips_fake.core.simulation.Simulation`; the simulation
    sets :attr:`_outbox` and :attr:`_mail_serial` when it clears its state."""

    # set by the service's constructor
    settings: ServiceSettings
    # set by Simulation._clear_state: mails per company, each with its serial (send order)
    _outbox: dict[str, deque[tuple[int, Notification]]]
    _mail_serial: int

    def _email_setting(self, run: Run) -> EmailSetting:
        return self._email_setting_of(run.job)

    @staticmethod
    def _email_setting_of(job: JobOfRun) -> EmailSetting:
        return job.email_setting

    def _notify_end(self, run: Run, at: datetime) -> None:
        setting = self._email_setting(run)
        if setting is EmailSetting.NONE:
            return
        success, errors, warnings, duplicates, fatal = run.tally(at)
        failed = fatal or errors > 0
        warned = warnings > 0
        # All and JobCompletion mail every end; None returned above
        wanted = True
        if setting is EmailSetting.ERROR:
            wanted = failed
        elif setting is EmailSetting.ERROR_AND_WARNING:
            wanted = failed or warned
        if wanted:
            subject = "mail_fail_subject" if failed else "mail_end_subject"
            counts = (success, errors, warnings, duplicates)
            self._mail(run, at, subject, "mail_body", reason="end", counts=counts)

    def _mail(
        self,
        run: Run,
        at: datetime,
        subject_key: str,
        body_key: str,
        *,
        reason: str,
        counts: tuple[int, int, int, int] = (0, 0, 0, 0),
    ) -> None:
        locale = run.job.locale or "en-US"
        success, errors, warnings, duplicates = counts
        self._mail_serial += 1
        outbox = self._outbox.setdefault(run.job.company_id, deque())
        if len(outbox) >= self.settings.log_retention:
            outbox.popleft()
        outbox.append(
            (
                self._mail_serial,
                Notification(
                    to=run.job.notify_email,
                    subject=localized(subject_key, locale, job=run.job.name),
                    body=localized(
                        body_key,
                        locale,
                        run=run.name,
                        success=success,
                        errors=errors,
                        warnings=warnings,
                        duplicates=duplicates,
                    ),
                    locale=locale,
                    company_id=run.job.company_id,
                    job_name=run.job.name,
                    run_name=run.name,
                    run_id=run.run_id,
                    sent_at=at,
                    reason=reason,
                ),
            )
        )
