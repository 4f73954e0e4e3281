"""A stateful test of the job lifecycle over SOAP: submit, execute, pause, resume, stop and
delete jobs and runs, move the clock, and query, checked against a small reference model.

Invariants: handles are unique; a run's state only moves forward (waiting, New, Running,
Stopping, then gone into exactly one job log); nothing is listed that should not be."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from lxml import etree

from ips_fake.core.clock import DEFAULT_START
from ips_fake.core.errors import FaultCode
from ips_fake.core.model import RunState
from ips_fake.fake import IpsFake
from ips_fake.soap.schema import ApiVersion
from ips_fake.strategies import (
    api_versions,
    build_param,
    envelope,
    payload_elements,
    schema_model,
)
from tests.contract.soap_exchange import Answer, post

COMPANY = "47"
JOB_NAMES = ("nightly", "a-b", " Ünï cøde ")  # "|" is refused (30001): handles use it
RANK = {
    RunState.WAITING_COORDINATOR: 0,
    RunState.WAITING_CLIENT: 0,
    RunState.NEW: 1,
    RunState.RUNNING: 2,
    RunState.STOPPING: 3,
}
FINISHED_RANK = 4
EVERY_FIVE_MINUTES = "0 */5 * * * ?"
#: Payloads submitted, where the version has them (pre-4.0: imageServingPublishJob only).
PAYLOADS = ("optimizeImagesJob", "exportJob", "imageServingPublishJob")


@dataclass(eq=False)
class ModelJob:
    """What the reference model knows of one submitted job."""

    name: str
    exec_at: datetime | None
    cron: bool
    paused: bool = False
    fired: bool = False
    missed: bool = False
    deleted: bool = False
    runs: set[int] = field(default_factory=set)

    @property
    def listed(self) -> bool:
        return not self.deleted and (self.cron or not self.fired)


class JobLifecycle(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.fake = IpsFake()
        self.version: ApiVersion | None = None
        self.now = DEFAULT_START
        self.jobs: dict[str, ModelJob] = {}
        self.highest_rank: dict[int, int] = {}
        self.run_owners: dict[int, ModelJob] = {}
        self.paused_runs: set[int] = set()

    # -- wire ----------------------------------------------------------------------------------

    def call(self, operation: str, **children: str | etree._Element | None) -> Answer:
        assert self.version is not None
        param = build_param(operation, self.version, children)
        return post(self.fake, envelope(param), "text/xml; charset=UTF-8")

    def job_handle(self, name: str) -> str:
        assert self.version is not None
        return f"{COMPANY}|{name}|" if self.version.is_legacy else f"j|{COMPANY}|{name}||"

    def run_handle(self, run_name: str, run_id: int) -> str:
        assert self.version is not None
        if self.version.is_legacy:
            return f"{COMPANY}||{run_name}"
        return f"j|{COMPANY}||{run_name}|{run_id}"

    @staticmethod
    def expect(answer: Answer, accepted: bool) -> None:
        if accepted:
            assert answer.fault is None, answer.reason
        else:
            assert (answer.fault, answer.code) == ("ipsApiFault", FaultCode.INVALID_PARAMETER), (
                answer.reason
            )

    def current(self, name: str) -> ModelJob | None:
        job = self.jobs.get(name)
        return job if job is not None and not job.deleted else None

    def claim_new_runs(self) -> None:
        """New runs belong to the job now holding their name (only a live job starts runs)."""
        for run in self.fake.active_jobs:
            if run.run_id not in self.run_owners:
                owner = self.current(run.original_name)
                assert owner is not None, f"run {run.name} of no live job"
                owner.runs.add(run.run_id)
                self.run_owners[run.run_id] = owner

    # -- moves ---------------------------------------------------------------------------------

    @initialize(version=api_versions())
    def choose_version(self, version: ApiVersion) -> None:
        self.version = version

    @rule(
        name=st.sampled_from(JOB_NAMES),
        timing=st.sampled_from(["now", "later", "cron"]),
        delay=st.integers(1, 900),
        offset_minutes=st.sampled_from([0, -300, 330, 840]),
        data=st.data(),
    )
    def submit(
        self, name: str, timing: str, delay: int, offset_minutes: int, data: st.DataObject
    ) -> None:
        assert self.version is not None
        own = schema_model(self.version).payload_names
        payload = data.draw(
            payload_elements([kind for kind in PAYLOADS if kind in own], version=self.version),
            label="payload",
        )
        exec_at = self.now + timedelta(seconds=delay) if timing == "later" else None
        exec_time = (
            exec_at.astimezone(timezone(timedelta(minutes=offset_minutes))).isoformat()
            if exec_at is not None
            else None
        )
        previous = self.current(name)
        payload_name = etree.QName(payload).localname

        answer = self.call(
            "submitJob",
            companyHandle=COMPANY,
            jobName=name,
            execTime=exec_time,
            execSchedule=EVERY_FIVE_MINUTES if timing == "cron" else None,
            **{payload_name: payload},
        )

        if previous is not None and previous.listed:
            assert (answer.fault, answer.code) == ("ipsApiFault", FaultCode.GENERAL_FAILURE)
            return
        assert answer.fault is None, answer.reason
        assert answer.body is not None
        assert answer.body.findtext(f"{{{self.version.namespace}}}jobHandle") == (
            self.job_handle(name)
        )
        if previous is not None:
            previous.deleted = True
        self.jobs[name] = ModelJob(name, exec_at, cron=timing == "cron", fired=timing == "now")
        self.claim_new_runs()

    @rule(name=st.sampled_from(JOB_NAMES))
    def execute(self, name: str) -> None:
        job = self.current(name)
        answer = self.call("executeJob", companyHandle=COMPANY, jobHandle=self.job_handle(name))
        self.expect(answer, job is not None)
        self.claim_new_runs()

    @rule(name=st.sampled_from(JOB_NAMES))
    def pause_job(self, name: str) -> None:
        job = self.current(name)
        answer = self.call("pauseJob", companyHandle=COMPANY, jobHandle=self.job_handle(name))
        accepted = job is not None and job.listed and not job.paused
        self.expect(answer, accepted)
        if accepted and job is not None:
            job.paused = True

    @rule(name=st.sampled_from(JOB_NAMES))
    def resume_job(self, name: str) -> None:
        job = self.current(name)
        answer = self.call("resumeJob", companyHandle=COMPANY, jobHandle=self.job_handle(name))
        accepted = job is not None and job.listed and job.paused
        self.expect(answer, accepted)
        if accepted and job is not None:
            job.paused = False
            if job.missed:
                job.missed = False
                job.fired = True
        self.claim_new_runs()

    @rule(name=st.sampled_from(JOB_NAMES))
    def stop_job(self, name: str) -> None:
        job = self.current(name)
        live = [
            run
            for run in self.fake.active_jobs
            if job is not None and run.run_id in job.runs and run.state is not RunState.STOPPING
        ]
        answer = self.call("stopJob", companyHandle=COMPANY, jobHandle=self.job_handle(name))
        self.expect(answer, bool(live))

    @rule(name=st.sampled_from(JOB_NAMES))
    def delete_job(self, name: str) -> None:
        job = self.current(name)
        answer = self.call("deleteJob", companyHandle=COMPANY, jobHandle=self.job_handle(name))
        self.expect(answer, job is not None)
        if job is not None:
            job.deleted = True

    @rule(data=st.data(), action=st.sampled_from(["stopJob", "pauseJob", "resumeJob"]))
    def control_a_run(self, data: st.DataObject, action: str) -> None:
        runs = self.fake.active_jobs
        if not runs:
            return
        run = data.draw(st.sampled_from(runs), label="run")
        paused = run.run_id in self.paused_runs
        stopping = run.state is RunState.STOPPING
        waiting = RANK[run.state] == 0
        accepted = {
            "stopJob": not stopping,
            "pauseJob": not paused and not stopping and not waiting,
            "resumeJob": paused,
        }[action]

        answer = self.call(
            action, companyHandle=COMPANY, jobHandle=self.run_handle(run.name, run.run_id)
        )

        self.expect(answer, accepted)
        if accepted and action == "pauseJob":
            self.paused_runs.add(run.run_id)
        if accepted and action == "resumeJob":
            self.paused_runs.discard(run.run_id)

    @rule(seconds=st.sampled_from([1, 2, 5, 30, 120, 600]))
    def move_the_clock(self, seconds: int) -> None:
        self.now = self.fake.advance(seconds)
        for job in self.jobs.values():
            due = job.exec_at is not None and job.exec_at <= self.now
            if job.deleted or job.cron or job.fired or job.missed or not due:
                continue
            if job.paused:
                job.missed = True
            else:
                job.fired = True
        self.claim_new_runs()

    @rule()
    def query_scheduled_jobs(self) -> None:
        answer = self.call("getScheduledJobs", companyHandle=COMPANY)
        assert answer.body is not None, answer.reason
        assert self.version is not None
        ns = self.version.namespace
        items = answer.body.findall(f"{{{ns}}}jobArray/{{{ns}}}items")
        listed = {
            item.findtext(f"{{{ns}}}originalName"): item.findtext(f"{{{ns}}}triggerState")
            for item in items
        }
        assert len(listed) == len(items), "a job is listed twice"
        expected = {
            job.name: "Paused" if job.paused else "Normal"
            for job in self.jobs.values()
            if job.listed
        }
        assert listed == expected
        handles = [item.findtext(f"{{{ns}}}jobHandle") for item in items]
        assert handles == [self.job_handle(name or "") for name in listed]

    @rule()
    def query_active_jobs_and_logs(self) -> None:
        assert self.version is not None
        ns = self.version.namespace
        # includeWaitingJobs exists from 2016-01-14-beta; before, waiting runs are not listed
        with_waiting = schema_model(self.version).has("getActiveJobsParam", "includeWaitingJobs")
        active = self.call(
            "getActiveJobs",
            companyHandle=COMPANY,
            includeWaitingJobs="true" if with_waiting else None,
        )
        logs = self.call("getJobLogs", companyHandle=COMPANY)
        assert active.body is not None
        assert logs.body is not None
        run_handles = [
            item.findtext(f"{{{ns}}}jobHandle")
            for item in active.body.findall(f"{{{ns}}}jobArray/{{{ns}}}items")
        ]
        log_handles = [
            item.findtext(f"{{{ns}}}jobHandle")
            for item in logs.body.findall(f"{{{ns}}}jobLogArray/{{{ns}}}items")
        ]
        assert len(set(run_handles)) == len(run_handles)
        assert len(set(log_handles)) == len(log_handles)
        assert not set(run_handles) & set(log_handles)
        expected_runs = {
            self.run_handle(run.name, run.run_id)
            for run in self.fake.active_jobs
            if with_waiting or RANK[run.state] > 0
        }
        assert set(run_handles) == expected_runs

    # -- invariants ----------------------------------------------------------------------------

    @invariant()
    def states_only_move_forward_and_each_finished_run_leaves_one_log(self) -> None:
        active = self.fake.active_jobs
        logs = self.fake.job_logs
        active_ids = [run.run_id for run in active]
        log_ids = [log.run_id for log in logs]
        assert len(set(active_ids)) == len(active_ids)
        assert len(set(log_ids)) == len(log_ids), "a run left more than one log"
        assert not set(active_ids) & set(log_ids)
        for run in active:
            rank = RANK[run.state]
            assert rank >= self.highest_rank.get(run.run_id, 0), f"{run.name} went backwards"
            self.highest_rank[run.run_id] = rank
        for run_id in set(self.highest_rank) - set(active_ids):
            assert run_id in log_ids, f"run {run_id} finished without a log"
            self.highest_rank[run_id] = FINISHED_RANK
        self.paused_runs &= set(active_ids)

    @invariant()
    def nothing_is_listed_that_should_not_be(self) -> None:
        listed = {job.name: job.trigger_state.value for job in self.fake.scheduled_jobs}
        expected = {
            job.name: "Paused" if job.paused else "Normal"
            for job in self.jobs.values()
            if job.listed
        }
        assert listed == expected


JobLifecycle.TestCase.settings = settings(
    settings.default, max_examples=100, stateful_step_count=50
)
test_job_lifecycle = JobLifecycle.TestCase
