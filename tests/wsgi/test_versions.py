"""The per-version contract, over the wire: every API version's own WSDL, requests and answers.

A strict zeep client (its default settings) is built from each version's WSDL, served over
HTTP by one fake per module on the manual clock, and drives every job operation the version
has over SOAP 1.1 and 1.2; each answer must carry exactly the version's elements (what a
version lacks is absent, what it has holds the right value). The other tests cover what zeep
cannot send: the plain XML endpoint, namespaces that are no version's, a version's missing
operation, the pre-4.0 PhotoshopOptions shape and a job read in other versions than it was
submitted in. Element arrivals follow spec/versions.md and docs/fidelity.md, "API versions".
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import zeep
from soap_wire import assert_no_traceback

from ips_fake.fake import IpsFake
from ips_fake.server import FakeServer
from ips_fake.soap.schema import (
    API_VERSIONS,
    ApiVersion,
    find_version,
    operations_of,
)

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
PORTS = {"1.1": "IpsApiSoapPort", "1.2": "IpsApiSoap12Port"}
XML_ENDPOINT = "/scene7/api/IpsApiService"
SERVICE = "/scene7/services/IpsApiService"
USER = "ipsuser@example.com"
PASSWORD = "password"
SERVER_SIDE_PROBLEMS = ("response does not validate", "server error", " fault detail does not")
#: An uploadUrlsJob of two URLs, with only its required elements.
TWO_URLS = {
    "urlArray": {
        "items": [
            {"sourceUrl": "http://example.com/a.jpg", "destPath": "in/a.jpg"},
            {"sourceUrl": "http://example.com/b.jpg", "destPath": "in/b.jpg"},
        ]
    },
    "overwrite": True,
    "readyForPublish": False,
    "createMask": False,
    "emailSetting": "None",
}
PUBLISH = {"publishType": "Full", "emailSetting": "None"}
PUBLISH_LOG_TYPES = [
    "OriginalJobName",
    "JobClient",
    "JobType",
    "BeginImageServingPublish",
    "ImageServingPublishSuccess",
    "ImageServingPublishSuccess",
    "ImageServingPublishSuccess",
    "EndImageServingPublish",
]


def since(version: ApiVersion, label: str) -> bool:
    """True when ``version`` is the version ``label`` or newer."""
    return API_VERSIONS.index(version) >= API_VERSIONS.index(find_version(label))


def company(version: ApiVersion) -> str:
    return "47" if version.is_legacy else "c|47"


def listed(result: list[Any] | None) -> list[Any]:
    """zeep gives None for an empty array."""
    return list(result or [])


# -- one served fake and one zeep client per (version, port) for the module ----------------------


@pytest.fixture(scope="module")
def served() -> Iterator[FakeServer]:
    """One fake on 127.0.0.1 for the module, validating every answer against its version."""
    fake = IpsFake(validate_responses=True)
    with FakeServer(fake) as server:
        yield server


@pytest.fixture(autouse=True)
def _answers_of_this_test_are_valid(served: FakeServer) -> Iterator[None]:
    """The module's fake is built outside the suite-wide check (tests/conftest.py): apply it
    here to the exchanges each test adds."""
    first = len(served.fake.journal)
    yield
    added = served.fake.journal[first:]
    for exchange in added:
        assert_no_traceback(exchange.response)
    problems = [
        exchange.summary() + "\n" + (exchange.problem or "")
        for exchange in added
        if exchange.problem and exchange.problem.startswith(SERVER_SIDE_PROBLEMS)
    ]
    assert not problems, "the fake answered wrongly:\n" + "\n".join(problems)


_CLIENTS: dict[tuple[str, str], zeep.proxy.ServiceProxy] = {}


def service_of(server: FakeServer, version: ApiVersion, soap_version: str) -> Any:
    """zeep (strict, its default) from ``version``'s WSDL fetched over HTTP, bound to the port
    of ``soap_version``, sending ipsuser's authHeader; one per (version, port) and server."""
    key = (f"{server.service_url} {version.label}", soap_version)
    if key not in _CLIENTS:
        client = zeep.Client(server.wsdl_url(version.wsdl_file))
        assert client.settings.strict
        header = client.get_element(f"{{{version.namespace}}}authHeader")
        client.set_default_soapheaders([header(user=USER, password=PASSWORD)])
        _CLIENTS[key] = client.bind("IpsApiService", PORTS[soap_version])
    return _CLIENTS[key]


_ASSETS = itertools.count(7000)


# -- a: strict zeep, every version, every operation, SOAP 1.1 and 1.2 ----------------------------


def check_upload_echo(version: ApiVersion, echo: Any) -> None:
    """An echoed uploadUrlsJob: what was sent, in the version's shape, with IPS's defaults
    for what the version has (spec/versions.md, "Server defaults in the job echo")."""
    assert (echo.overwrite, echo.readyForPublish, echo.createMask) == (True, False, False)
    assert echo.emailSetting == "None"
    assert echo.urlArray is None  # IPS echoes the URL list empty
    assert echo.colorManagementOptions.colorManagement == "Default"
    assert echo.postJobOnlyIfFiles is False
    if since(version, "4.2"):
        assert (echo.preservePublishState, echo.preserveCrop) == (False, True)
    else:
        assert "preservePublishState" not in echo
        assert "preserveCrop" not in echo
    if since(version, "4.0"):
        postscript = echo.postScriptOptions
        assert (postscript.process, postscript.resolution, postscript.colorspace) == (
            "None",
            72.0,
            "Auto",
        )
        assert (postscript.alpha, postscript.extractSearchWords) == (False, False)
        assert echo.illustratorOptions.process == "None"
        assert echo.illustratorOptions.resolution == 72.0
    else:
        # pre-4.0 PostScriptOptions has no process: the default block does not fit, so no echo
        assert echo.postScriptOptions is None
        assert "pdfOptions" not in echo
        assert "illustratorOptions" not in echo
    if since(version, "4.4"):
        pdf = echo.pdfOptions
        assert (pdf.process, pdf.resolution, pdf.colorspace) == ("render", 72.0, "Auto")
        assert (pdf.pdfCatalog, pdf.extractSearchWords, pdf.extractLinks) == (True, False, True)
    elif since(version, "4.0"):
        # PDFOptions has no extractLinks before 4.4: the default block does not fit, so no echo
        assert echo.pdfOptions is None
    if since(version, "4.5"):
        assert echo.photoshopOptions.process == "None"
        assert echo.inDesignOptions.process == "None"
    else:
        # through 4.4 PhotoshopOptions is {maintainLayers, layerNaming, anchor}: no default
        assert echo.photoshopOptions is None
        assert "inDesignOptions" not in echo
    if since(version, "6.0"):
        assert echo.numUrls == 2
    else:
        assert "numUrls" not in echo
    assert ("xmpKeywords" in echo) is since(version, "2016-01-14-beta")


@pytest.mark.parametrize("soap_version", sorted(PORTS), ids=lambda v: f"soap{v}")
@pytest.mark.parametrize("version", API_VERSIONS, ids=lambda v: v.label)
def test_strict_zeep_runs_every_operation_of_the_version(
    served: FakeServer, version: ApiVersion, soap_version: str
) -> None:
    fake = served.fake
    service = service_of(served, version, soap_version)
    owner = company(version)
    tag = f"{version.label} soap{soap_version}"
    later = fake.now() + timedelta(days=1)
    details = {"description": f"echo {tag}", "locale": "en-US"} if since(version, "4.0") else {}
    first_exchange = len(fake.journal)

    # submitJob: an uploadUrlsJob of two URLs and an Image Serving publish, both for tomorrow
    uploads = service.submitJob(
        companyHandle=owner,
        jobName=f"urls {tag}",
        execTime=later,
        uploadUrlsJob=TWO_URLS,
        **details,
    )
    publish = service.submitJob(
        companyHandle=owner,
        jobName=f"publish {tag}",
        execTime=later,
        imageServingPublishJob=PUBLISH,
    )
    if version.is_legacy:
        assert (uploads, publish) == (f"47|urls {tag}|", f"47|publish {tag}|")
    else:
        assert (uploads, publish) == (f"j|47|urls {tag}||", f"j|47|publish {tag}||")

    # getScheduledJobs: both echoed in the version's shape, with IPS's defaults
    (scheduled,) = service.getScheduledJobs(companyHandle=owner, jobHandle=uploads)
    assert (scheduled.jobHandle, scheduled.originalName) == (uploads, f"urls {tag}")
    assert (scheduled.type, scheduled.submitUserEmail) == ("UrlUpload", USER)
    assert scheduled.nextFireTime == later
    assert (scheduled.triggerState, scheduled.timeZone) == ("Normal", "UTC")
    if since(version, "4.0"):
        assert (scheduled.description, scheduled.locale) == (f"echo {tag}", "en-US")
    else:
        assert "description" not in scheduled
        assert "locale" not in scheduled
    assert scheduled.imageServingPublishJob is None
    check_upload_echo(version, scheduled.uploadUrlsJob)
    (publishing,) = service.getScheduledJobs(companyHandle=owner, originalName=f"publish {tag}")
    assert publishing.jobHandle == publish
    assert publishing.imageServingPublishJob.publishType == "Full"
    assert publishing.imageServingPublishJob.emailSetting == "None"
    assert publishing.imageServingPublishJob.httpCompletionUrl is None  # echoed empty
    assert publishing.uploadUrlsJob is None
    assert ("exportJob" in publishing) is since(version, "6.0")
    assert ("metadataPublishJob" in publishing) is since(version, "2016-01-14-beta")

    # pauseJob / resumeJob on the scheduled job
    assert service.pauseJob(companyHandle=owner, jobHandle=uploads) is None
    (paused,) = service.getScheduledJobs(companyHandle=owner, jobHandle=uploads)
    assert paused.triggerState == "Paused"
    assert service.resumeJob(companyHandle=owner, jobHandle=uploads) is None
    (resumed,) = service.getScheduledJobs(companyHandle=owner, jobHandle=uploads)
    assert resumed.triggerState == "Normal"

    # executeJob: a run starts New, then is Running with task progress
    started = fake.now()
    assert service.executeJob(companyHandle=owner, jobHandle=publish) is None
    (new,) = service.getActiveJobs(companyHandle=owner, jobHandle=publish)
    assert (new.state, new.progress, new.totalSize) == ("New", 0, 3)
    assert new.originalName == f"publish {tag}"
    assert new.name.startswith(f"publish {tag}_")
    assert new.startDate == started
    assert new.imageServingPublishJob.publishType == "Full"
    if since(version, "2016-01-14-beta"):
        assert new.triggerTime == started
    else:
        assert "triggerTime" not in new
    assert ("taskProgressArray" in new) is since(version, "4.5")

    fake.advance(seconds=3)
    (running,) = service.getActiveJobs(companyHandle=owner, jobHandle=new.jobHandle)
    assert (running.state, running.progress) == ("Running", 33)
    assert running.progressMessage == "Processed 1 of 3"
    if since(version, "4.5"):
        (task,) = running.taskProgressArray["items"]
        assert task.taskType == "ImageServingPublish"
        assert (task.numProcessed, task.numProcessing, task.numPending) == (1, 1, 1)
        assert task.progress == pytest.approx(1 / 3, abs=0.001)
        items = task.taskItemProgressArray["items"]
        assert [item.progress for item in items] == [1.0, 0.0, 0.0]
        assert items[0].itemName == "ImageServingPublish-item-1"
        if since(version, "6.0"):
            assert task.taskState == "Processing"
        else:
            assert "taskState" not in task
    else:
        assert "taskProgressArray" not in running

    # the run ends and leaves its log, with details
    fake.advance(seconds=10)
    assert listed(service.getActiveJobs(companyHandle=owner, jobHandle=new.jobHandle)) == []
    logs = [
        log for log in listed(service.getJobLogs(companyHandle=owner))
        if log.jobHandle == new.jobHandle
    ]  # fmt: skip
    (log,) = logs
    assert (log.jobName, log.logType) == (new.name, "EndImageServingPublish")
    assert (log.fileSuccessCount, log.fileErrorCount, log.totalFileCount) == (3, 0, 3)
    assert log.fatalError is False
    assert log.detailArray is None
    if since(version, "4.0"):
        assert (log.originalJobName, log.jobSubType) == (f"publish {tag}", "full")
    else:
        assert "originalJobName" not in log
        assert "jobSubType" not in log
    if since(version, "4.4"):
        assert (log.transferSuccessCount, log.transferErrorCount) == (0, 0)
    else:
        assert "transferSuccessCount" not in log
    (detailed,) = service.getJobLogDetails(companyHandle=owner, originalName=f"publish {tag}")
    rows = detailed.detailArray["items"]
    assert [row.logType for row in rows] == PUBLISH_LOG_TYPES
    assert rows[-1].logMessage == f"Job {new.name} finished: 3 succeeded, 0 failed, 0 warnings"
    assert rows[4].assetName == "ImageServingPublish-item-1"
    if since(version, "2016-01-14-beta"):
        assert detailed.detailTotalRows == 8
        assert rows[0].dateCreated == started
    else:
        assert "detailTotalRows" not in detailed
        assert "dateCreated" not in rows[0]
    assert ("assetHandle" in rows[4]) is since(version, "4.0")
    assert ("auxArray" in rows[4]) is since(version, "4.5")

    # getAssetJobLogs (from 4.0): a reprocessAssetsJob run logs its asset's lines
    if "getAssetJobLogs" in operations_of(version):
        asset = f"a|47|{next(_ASSETS)}|1"
        service.submitJob(
            companyHandle=owner,
            jobName=f"reprocess {tag}",
            reprocessAssetsJob={
                "assetHandleArray": {"items": [asset]},
                "createMask": False,
                "emailSetting": "None",
            },
        )
        fake.advance(seconds=30)
        entries = listed(service.getAssetJobLogs(companyHandle=owner, assetHandle=asset))
        assert entries, "the asset's log lines are missing"
        for entry in entries:
            assert entry.jobName.startswith(f"reprocess {tag}_")
            assert entry.submitUserEmail == USER
        assert "ReoptimizeSuccess" in [entry.logType for entry in entries]
        assert f"{asset}: processed" in [entry.logMessage for entry in entries]
    else:
        with pytest.raises(AttributeError):
            service.getAssetJobLogs  # noqa: B018  (zeep has no such operation)

    # stopJob on a second run
    service.executeJob(companyHandle=owner, jobHandle=publish)
    (second,) = service.getActiveJobs(companyHandle=owner, jobHandle=publish)
    assert service.stopJob(companyHandle=owner, jobHandle=second.jobHandle) is None
    (stopping,) = service.getActiveJobs(companyHandle=owner, jobHandle=second.jobHandle)
    assert stopping.state == "Stopping"
    fake.advance(minutes=1)
    assert listed(service.getActiveJobs(companyHandle=owner, jobHandle=publish)) == []

    # deleteJob: both scheduled jobs go
    for handle in (uploads, publish):
        assert service.deleteJob(companyHandle=owner, jobHandle=handle) is None
    left = {job.jobHandle for job in listed(service.getScheduledJobs(companyHandle=owner))}
    assert not {uploads, publish} & left

    mine = fake.journal[first_exchange:]
    assert {exchange.soap_version for exchange in mine} == {soap_version}
    assert {exchange.namespace for exchange in mine} == {version.namespace}
    assert {exchange.operation for exchange in mine} == set(operations_of(version))
    assert all(exchange.fault_code is None for exchange in mine)
