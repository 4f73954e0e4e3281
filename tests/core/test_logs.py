"""Job logs: getJobLogs filters and sorting, getJobLogDetails paging, asset logs,
localized messages, and the ExportJob archive."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
import zeep

from ips_fake.core.directory import User
from ips_fake.core.errors import FaultCode, IpsFault
from ips_fake.core.model import (
    JobKind,
    JobLogInfo,
    JobPayload,
    SubmitJobRequest,
    WorkItem,
)
from ips_fake.fake import IpsFake
from ips_fake.transport import INPROCESS_BASE_URL, in_process_session
from ips_fake.wsgi import SERVICE_PATH
from tests.core.job_builders import PUBLISH, T0
from tests.zeep_clients import auth_header, in_process_client

WSDL = INPROCESS_BASE_URL + "/scene7/webservice/IpsApi-2014-04-03.wsdl"
#: getJobLogDetails paging and filters (and detailTotalRows) arrive in 2016-01-14-beta.
PAGING_WSDL = INPROCESS_BASE_URL + "/scene7/webservice/IpsApi-2016-01-14-beta.wsdl"


def login(fake: IpsFake, email: str) -> User:
    return fake.directory.authenticate(email, "password")


def url_upload(count: int) -> JobPayload:
    return JobPayload(
        kind=JobKind.UPLOAD_URLS,
        element="uploadUrlsJob",
        options=(),
        items=tuple(WorkItem(f"in/{n}.jpg") for n in range(1, count + 1)),
    )


def three_logs() -> IpsFake:
    """bravo (47, ipsuser, success) at T0; alpha (47, anna, fail) at T0+60 s;
    charlie (48, other, warn) at T0+120 s."""
    fake = IpsFake()
    fake.add_user("anna@example.com", companies=["47"])
    fake.script("fail", name_pattern="alpha*")
    fake.script("warn", name_pattern="charlie*")
    submits = [
        ("ipsuser@example.com", "47", "bravo"),
        ("anna@example.com", "47", "alpha"),
        ("other@example.com", "48", "charlie"),
    ]
    for email, company, name in submits:
        fake.service.submit_job(login(fake, email), SubmitJobRequest(company, name, PUBLISH))
        fake.advance(minutes=1)
    return fake


def original_names(logs: list[JobLogInfo]) -> list[str]:
    return [log.original_job_name for log in logs]


def test_three_logs_scenario_has_the_counts_the_sorting_tests_rely_on() -> None:
    fake = three_logs()

    counts = {
        log.original_job_name: (
            log.company_id,
            log.start_date,
            log.file_success_count,
            log.file_error_count,
            log.file_warning_count,
            log.log_type,
            log.fatal_error,
        )
        for log in fake.job_logs
    }
    assert counts == {
        "bravo": ("47", T0, 3, 0, 0, "EndImageServingPublish", False),
        "alpha": ("47", T0 + timedelta(minutes=1), 0, 1, 0, "FatalError", True),
        "charlie": ("48", T0 + timedelta(minutes=2), 3, 0, 3, "EndImageServingPublish", False),
    }


def test_get_job_logs_defaults_to_newest_first_over_the_callers_companies() -> None:
    fake = three_logs()

    admin_view = fake.service.get_job_logs(login(fake, "ipsadmin@example.com"))
    user_view = fake.service.get_job_logs(login(fake, "ipsuser@example.com"))

    assert original_names(admin_view) == ["charlie", "alpha", "bravo"]
    assert original_names(user_view) == ["alpha", "bravo"]
    assert all(log.details for log in admin_view)  # the SOAP layer leaves details out


def test_get_job_logs_filters_by_company_user_and_dates() -> None:
    fake = three_logs()
    admin = login(fake, "ipsadmin@example.com")
    logs = fake.service.get_job_logs

    assert original_names(logs(admin, "c|48")) == ["charlie"]
    assert original_names(logs(admin, user_handle="anna@example.com")) == ["alpha"]
    assert original_names(logs(admin, "47", user_handle="u|7|other@example.com")) == []
    assert original_names(logs(admin, start_date=T0 + timedelta(seconds=30))) == [
        "charlie",
        "alpha",
    ]
    assert original_names(logs(admin, end_date=T0 + timedelta(seconds=90))) == ["alpha", "bravo"]
    one_minute = T0 + timedelta(minutes=1)
    assert original_names(logs(admin, start_date=one_minute, end_date=one_minute)) == ["alpha"]
    with pytest.raises(IpsFault) as unknown_user:
        logs(admin, user_handle="nobody@example.com")
    assert unknown_user.value.code == FaultCode.INVALID_REQUEST_USER
    with pytest.raises(IpsFault) as foreign:
        logs(login(fake, "ipsuser@example.com"), "48")
    assert foreign.value.code == FaultCode.ILLEGAL_COMPANY


@pytest.mark.parametrize(
    ("sort_by", "direction", "expected"),
    [
        ("JobName", "Ascending", ["alpha", "bravo", "charlie"]),
        ("JobName", "Descending", ["charlie", "bravo", "alpha"]),
        ("StartDate", "Ascending", ["bravo", "alpha", "charlie"]),
        ("LogType", "Ascending", ["bravo", "charlie", "alpha"]),
        ("LogType", "Descending", ["alpha", "charlie", "bravo"]),
        ("CompanyName", "Ascending", ["bravo", "alpha", "charlie"]),
        ("CompanyName", "Descending", ["charlie", "alpha", "bravo"]),
        ("UserId", "Ascending", ["alpha", "bravo", "charlie"]),
        ("Email", "Descending", ["charlie", "bravo", "alpha"]),
        ("FileErrorCount", "Descending", ["alpha", "charlie", "bravo"]),
        ("FileWarningCount", "Descending", ["charlie", "alpha", "bravo"]),
        ("FileSuccessCount", "Ascending", ["alpha", "bravo", "charlie"]),
    ],
)
def test_get_job_logs_sorts_by_every_field_both_ways(
    sort_by: str, direction: str, expected: list[str]
) -> None:
    fake = three_logs()

    logs = fake.service.get_job_logs(
        login(fake, "ipsadmin@example.com"), sort_by=sort_by, sort_direction=direction
    )

    assert original_names(logs) == expected


def test_num_rows_limits_after_sorting() -> None:
    fake = three_logs()
    admin = login(fake, "ipsadmin@example.com")

    assert original_names(fake.service.get_job_logs(admin, num_rows=2)) == ["charlie", "alpha"]
    assert fake.service.get_job_logs(admin, num_rows=0) == []
    assert original_names(
        fake.service.get_job_logs(admin, sort_by="JobName", sort_direction="Ascending", num_rows=1)
    ) == ["alpha"]
    with pytest.raises(IpsFault) as negative:
        fake.service.get_job_logs(admin, num_rows=-1)
    assert negative.value.code == FaultCode.INVALID_PARAMETER


def test_details_by_run_handle_scheduled_handle_and_original_name() -> None:
    fake = IpsFake()
    user = login(fake, "ipsuser@example.com")
    fake.service.submit_job(
        user, SubmitJobRequest("47", "hourly", PUBLISH, exec_schedule="0 0 * * * ?")
    )
    fake.advance(hours=2, minutes=1)
    first, second = fake.job_logs
    details = fake.service.get_job_log_details

    [by_run] = details(user, "47", handle=f"j|47||{first.job_name}|{first.run_id}")
    by_job = details(user, "47", handle="47|hourly|")
    by_name = details(user, "c|47", original_name="hourly")

    assert by_run.log == first
    assert [page.log for page in by_job] == [page.log for page in by_name] == [first, second]
    assert [d.log_type for d in by_run.details] == [
        "OriginalJobName",
        "JobClient",
        "JobType",
        "BeginImageServingPublish",
        "ImageServingPublishSuccess",
        "ImageServingPublishSuccess",
        "ImageServingPublishSuccess",
        "EndImageServingPublish",
    ]
    assert by_run.detail_total_rows == 8
    assert [d.log_message for d in by_run.details[:3]] == [
        "hourly",
        "IPS API",
        "ImageServingPublish",
    ]
    assert details(user, "47", original_name="nothing-by-that-name") == []
    with pytest.raises(IpsFault, match="names no job"):
        details(user, "47", handle="47|nothing|")


def test_details_filtered_by_log_type_and_sorted() -> None:
    fake = IpsFake()
    user = login(fake, "ipsuser@example.com")
    fake.service.submit_job(user, SubmitJobRequest("47", "publish", PUBLISH))
    fake.advance(minutes=1)

    [page] = fake.service.get_job_log_details(
        user, "47", original_name="publish", log_types=["ImageServingPublishSuccess", "JobType"]
    )
    [newest_first] = fake.service.get_job_log_details(
        user, "47", original_name="publish", sort_direction="Descending"
    )
    [by_type] = fake.service.get_job_log_details(
        user, "47", original_name="publish", sort_by="LogType"
    )

    assert [d.log_type for d in page.details] == ["JobType"] + ["ImageServingPublishSuccess"] * 3
    assert page.detail_total_rows == 4
    dates = [d.date_created for d in newest_first.details]
    assert dates == sorted(dates, reverse=True)
    assert dates[0] == T0 + timedelta(seconds=7)
    types = [d.log_type for d in by_type.details]
    assert types == sorted(types)


def test_records_per_page_is_capped_at_1000_and_results_page_pages_on() -> None:
    fake = IpsFake(seconds_per_item=0.01)
    user = login(fake, "ipsuser@example.com")
    fake.service.submit_job(user, SubmitJobRequest("47", "big-upload", url_upload(1200)))
    fake.advance(minutes=1)
    pages = fake.service.get_job_log_details

    [first] = pages(user, "47", original_name="big-upload", records_per_page=5000)
    [second] = pages(user, "47", original_name="big-upload", records_per_page=5000, results_page=2)
    [default] = pages(user, "47", original_name="big-upload")
    [small] = pages(user, "47", original_name="big-upload", records_per_page=10, results_page=3)
    [beyond] = pages(user, "47", original_name="big-upload", records_per_page=10, results_page=999)

    assert first.detail_total_rows == second.detail_total_rows == 1205
    assert (len(first.details), len(second.details), len(default.details)) == (1000, 205, 1000)
    assert first.details + second.details == tuple(
        sorted(first.log.details, key=lambda d: d.date_created)
    )
    assert [d.asset_name for d in small.details] == [f"in/{n}.jpg" for n in range(17, 27)]
    assert beyond.details == ()
    bad_pages: tuple[dict[str, Any], ...] = ({"records_per_page": 0}, {"results_page": 0})
    for bad in bad_pages:
        with pytest.raises(IpsFault) as raised:
            pages(user, "47", original_name="big-upload", **bad)
        assert raised.value.code == FaultCode.INVALID_PARAMETER


def test_records_per_page_cap_over_soap() -> None:
    fake = IpsFake(seconds_per_item=0.01)
    user = login(fake, "ipsuser@example.com")
    fake.service.submit_job(user, SubmitJobRequest("47", "big-upload", url_upload(1200)))
    fake.advance(minutes=1)
    client, auth = soap_client(fake, PAGING_WSDL)

    [log] = client.service.getJobLogDetails(
        companyHandle="c|47", originalName="big-upload", recordsPerPage=2000, _soapheaders=[auth]
    )

    assert log.detailTotalRows == 1205
    assert len(log.detailArray["items"]) == 1000
    with pytest.raises(zeep.exceptions.Fault):
        client.service.getJobLogDetails(
            companyHandle="c|47", originalName="big-upload", recordsPerPage=0, _soapheaders=[auth]
        )


def test_asset_job_logs_collect_every_line_about_an_asset() -> None:
    fake = IpsFake()
    user = login(fake, "ipsuser@example.com")
    fake.service.submit_job(user, SubmitJobRequest("47", "upload", url_upload(2)))
    fake.advance(minutes=1)
    export = JobPayload(
        kind=JobKind.EXPORT,
        element="exportJob",
        options=(),
        items=(WorkItem("a|47|2|1", asset_handle="a|47|2|1"),),
    )
    fake.service.submit_job(user, SubmitJobRequest("47", "export", export))
    fake.advance(minutes=1)

    entries = fake.service.get_asset_job_logs(user, "47", "a|47|2|1")

    assert [(e.job_name, e.log_type) for e in entries] == [
        ("upload_2026-01-05-09:00:00.000", "UploadSuccess"),
        ("export_2026-01-05-09:01:00.000", "ExportSuccess"),
    ]
    assert entries[0].log_message == "in/2.jpg: processed"
    assert entries[0].log_date == T0 + timedelta(seconds=5)
    assert fake.service.get_asset_job_logs(user, "47", "a|47|99|1") == []
    with pytest.raises(IpsFault) as foreign:
        fake.service.get_asset_job_logs(user, "48", "a|47|2|1")
    assert foreign.value.code == FaultCode.ILLEGAL_COMPANY


LOCALIZED: list[tuple[str | None, str, str, str]] = [
    ("en-US", "Job {run} started", "in/1.jpg: processed", "Processed 1 of 2"),
    ("fr-FR", "La tâche {run} a démarré", "in/1.jpg : traité", "1 sur 2 traités"),
    ("fr", "La tâche {run} a démarré", "in/1.jpg : traité", "1 sur 2 traités"),
    ("sv-SE", "Jobbet {run} har startat", "in/1.jpg: bearbetad", "1 av 2 bearbetade"),
    ("ko", "작업 {run}이(가) 시작되었습니다", "in/1.jpg: 처리됨", "2개 중 1개 처리됨"),
    ("de-DE", "Job {run} started", "in/1.jpg: processed", "Processed 1 of 2"),
    (None, "Job {run} started", "in/1.jpg: processed", "Processed 1 of 2"),
]


@pytest.mark.parametrize(("locale", "begin", "item", "progress"), LOCALIZED)
def test_log_and_progress_messages_follow_the_job_locale(
    locale: str | None, begin: str, item: str, progress: str
) -> None:
    fake = IpsFake()
    user = login(fake, "ipsuser@example.com")
    fake.service.submit_job(user, SubmitJobRequest("47", "upload", url_upload(2), locale=locale))
    fake.advance(seconds=3)
    [run] = fake.active_jobs
    assert run.progress_message == progress
    fake.advance(minutes=1)

    [log] = fake.job_logs
    messages = {d.log_type: d.log_message for d in log.details}
    assert messages["BeginUploadUrls"] == begin.format(run=log.job_name)
    assert next(d.log_message for d in log.details if d.log_type == "UploadSuccess") == item
    assert log.locale == locale


def test_failed_run_log_has_error_types_and_fatal_error() -> None:
    fake = IpsFake()
    fake.script("fail", kind="uploadUrlsJob")
    user = login(fake, "ipsuser@example.com")
    fake.service.submit_job(user, SubmitJobRequest("47", "upload", url_upload(3), locale="fr"))
    fake.advance(minutes=1)

    [log] = fake.job_logs
    assert log.fatal_error
    assert log.log_type == "FatalError"
    assert (log.file_error_count, log.transfer_error_count, log.total_file_count) == (1, 1, 3)
    types = [d.log_type for d in log.details]
    assert types[4:] == ["UploadError", "FatalError", "EndUploadUrls"]
    assert log.details[4].log_message == "in/1.jpg : échec du traitement"


def soap_client(fake: IpsFake, wsdl: str = WSDL) -> tuple[zeep.Client, object]:
    client = in_process_client(fake, wsdl, user=None)
    return client, auth_header(client)


def submit_export(fake: IpsFake, handles: list[str]) -> Callable[[], list[Any]]:
    """Submit an ExportJob over SOAP; return a poll of its log details by originalName."""
    client, auth = soap_client(fake)
    client.service.submitJob(
        companyHandle="c|47",
        jobName="export",
        exportJob={"assetHandleArray": {"items": handles}, "fmt": "orig", "emailSetting": "None"},
        _soapheaders=[auth],
    )

    def poll() -> list[Any]:
        logs = client.service.getJobLogDetails(
            companyHandle="c|47", originalName="export", _soapheaders=[auth]
        )
        return list(logs or [])

    return poll


def test_export_log_links_a_real_zip_of_the_exported_handles() -> None:
    fake = IpsFake()
    handles = ["a|47|10|1", "a|47|11|1", "a|47|12|1"]
    poll = submit_export(fake, handles)
    assert poll() == []

    fake.advance(minutes=1)

    [log] = poll()
    archive_rows = [d for d in log.detailArray["items"] if (d.assetName or "").startswith("http")]
    [row] = archive_rows
    assert row.logType == "FileEnd"
    assert row.assetType == "Zip"
    assert row.assetName == f"{INPROCESS_BASE_URL}/_fake/exports/1.zip"
    response = in_process_session(fake.app).get(row.assetName)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.testzip() is None
        assert archive.read("manifest.txt").decode().split() == handles
        assert len([n for n in archive.namelist() if n.startswith("assets/")]) == 3


def test_failed_or_unknown_export_has_no_archive() -> None:
    fake = IpsFake()
    fake.script("fail", kind="exportJob")
    poll = submit_export(fake, ["a|47|10|1"])
    fake.advance(minutes=1)

    [log] = poll()
    assert not [d for d in log.detailArray["items"] if (d.assetName or "").startswith("http")]
    session = in_process_session(fake.app)
    response = session.get(f"{INPROCESS_BASE_URL}/_fake/exports/1.zip")
    assert response.status_code == 404
    assert "no finished export" in response.json()["error"]


def test_get_job_logs_reads_dates_without_an_offset_in_the_server_zone() -> None:
    fake = IpsFake(time_zone="Europe/Stockholm")
    user = login(fake, "ipsuser@example.com")
    for name in ("early", "late"):
        fake.service.submit_job(user, SubmitJobRequest("47", name, PUBLISH))
        fake.advance(hours=1)
    envelope = (
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:ips="http://www.scene7.com/IpsApi/xsd/2014-04-03"><soapenv:Header>'
        "<ips:authHeader><ips:user>ipsuser@example.com</ips:user>"
        "<ips:password>password</ips:password></ips:authHeader></soapenv:Header>"
        "<soapenv:Body><ips:getJobLogsParam><ips:companyHandle>c|47</ips:companyHandle>"
        "<ips:startDate>2026-01-05T10:30:00</ips:startDate>"
        "</ips:getJobLogsParam></soapenv:Body></soapenv:Envelope>"
    )

    response = in_process_session(fake.app).post(
        INPROCESS_BASE_URL + SERVICE_PATH,
        data=envelope.encode(),
        headers={"Content-Type": "text/xml; charset=utf-8"},
    )

    assert response.status_code == 200
    assert b"<originalJobName>late</originalJobName>" in response.content
    assert b"<originalJobName>early</originalJobName>" not in response.content
    naive_start = datetime(2026, 1, 5, 10, 30)
    assert original_names(fake.service.get_job_logs(user, start_date=naive_start)) == ["late"]
    assert original_names(fake.service.get_job_logs(user, end_date=naive_start)) == ["early"]


def test_log_queries_over_soap() -> None:
    fake = three_logs()
    user = login(fake, "ipsuser@example.com")
    fake.service.submit_job(user, SubmitJobRequest("47", "upload", url_upload(4)))
    fake.advance(minutes=1)
    client, auth = soap_client(fake, PAGING_WSDL)
    service = client.service

    by_name = service.getJobLogs(
        companyHandle="c|47", sortBy="JobName", sortDirection="Ascending", numRows=2,
        _soapheaders=[auth],
    )  # fmt: skip
    [page] = service.getJobLogDetails(
        companyHandle="c|47",
        originalName="upload",
        logTypeArray={"items": ["UploadSuccess", "EndUploadUrls"]},
        recordsPerPage=2,
        resultsPage=2,
        sortDirection="Descending",
        _soapheaders=[auth],
    )
    [asset_line] = service.getAssetJobLogs(
        companyHandle="c|47", assetHandle="a|47|3|1", _soapheaders=[auth]
    )

    assert [log.originalJobName for log in by_name] == ["alpha", "bravo"]
    assert all(log.detailArray is None for log in by_name)
    assert page.detailTotalRows == 5
    assert [(d.logType, d.assetName) for d in page.detailArray["items"]] == [
        ("UploadSuccess", "in/3.jpg"),
        ("UploadSuccess", "in/2.jpg"),
    ]
    assert (asset_line.logType, asset_line.logMessage) == ("UploadSuccess", "in/3.jpg: processed")
    assert asset_line.jobName == "upload_2026-01-05-09:03:00.000"
