"""The job schema, its per-version namespaces, and the WSDL that real SOAP clients load."""

from __future__ import annotations

from pathlib import Path

import pytest
import zeep
from lxml import etree

from ips_fake.soap.schema import (
    API_VERSIONS,
    OPERATION_NAMES,
    UNVERSIONED_NAMESPACE,
    WSDL_NAMESPACE,
    ApiVersion,
    find_version,
    operations_of,
    schema_validator,
    version_for_namespace,
    version_for_wsdl_file,
    wsdl_document,
    xsd_documents,
)

XSD = "http://www.w3.org/2001/XMLSchema"
WSDL = "http://schemas.xmlsoap.org/wsdl/"
SOAP11 = "http://schemas.xmlsoap.org/wsdl/soap/"
SOAP12 = "http://schemas.xmlsoap.org/wsdl/soap12/"
SOAP12_ENVELOPE = "http://www.w3.org/2003/05/soap-envelope"
ADDRESS = "http://127.0.0.1:8765/scene7/services/IpsApiService"

PRE_40 = find_version("pre-4.0")
V40 = find_version("4.0")
V45 = find_version("4.5")
V60 = find_version("6.0")
V66 = find_version("6.6")
V68 = find_version("6.8")
V16B = find_version("2016-01-14-beta")

VERSIONS = pytest.mark.parametrize("version", API_VERSIONS, ids=lambda v: v.label)

SEED_SUBMIT = (
    "<submitJobParam xmlns={ns}><companyHandle>47</companyHandle><jobName>My Test Job</jobName>"
    "<imageServingPublishJob><publishType>Full</publishType><emailSetting>Error</emailSetting>"
    "</imageServingPublishJob></submitJobParam>"
)


def xml(text: str, namespace: str = UNVERSIONED_NAMESPACE) -> etree._Element:
    """Parse ``text``, substituting ``{ns}`` with the quoted ``namespace``."""
    return etree.fromstring(text.replace("{ns}", f'"{namespace}"').encode())


def _at_least(version: ApiVersion, first: ApiVersion) -> bool:
    """True when ``version`` is ``first`` or newer."""
    return API_VERSIONS.index(version) >= API_VERSIONS.index(first)


def errors(version: ApiVersion, document: etree._Element) -> str:
    """Validate ``document``; return the error log ('' when valid)."""
    validator = schema_validator(version)
    if validator.validate(document):
        return ""
    return str(validator.error_log)


# ------------------------------------------------------------------------- version table


def test_api_versions_follow_the_spec_table() -> None:
    rows = [(v.label, v.wsdl_file, v.namespace) for v in API_VERSIONS]
    base = UNVERSIONED_NAMESPACE
    assert rows == [
        ("pre-4.0", "IpsApi.wsdl", base),
        ("4.0", "IpsApi-2008-01-15.wsdl", f"{base}/2008-01-15"),
        ("4.2", "IpsApi-2008-09-10.wsdl", f"{base}/2008-09-10"),
        ("4.4", "IpsApi-2009-07-31.wsdl", f"{base}/2009-07-31"),
        ("4.5", "IpsApi-2010-01-31.wsdl", f"{base}/2010-01-31"),
        ("2011-11-04-beta", "IpsApi-2011-11-04-beta.wsdl", f"{base}/2011-11-04-beta"),
        ("2011-11-04", "IpsApi-2011-11-04.wsdl", f"{base}/2011-11-04"),
        ("6.0", "IpsApi-2012-02-14.wsdl", f"{base}/2012-02-14"),
        ("2012-07-31-beta", "IpsApi-2012-07-31-beta.wsdl", f"{base}/2012-07-31-beta"),
        ("2012-07-31", "IpsApi-2012-07-31.wsdl", f"{base}/2012-07-31"),
        ("6.6", "IpsApi-2013-02-15.wsdl", f"{base}/2013-02-15"),
        ("2013-08-29-beta", "IpsApi-2013-08-29-beta.wsdl", f"{base}/2013-08-29-beta"),
        ("6.8", "IpsApi-2014-04-03.wsdl", f"{base}/2014-04-03"),
        ("2016-01-14-beta", "IpsApi-2016-01-14-beta.wsdl", f"{base}/2016-01-14-beta"),
        ("2017-10-29-beta", "IpsApi-2017-10-29-beta.wsdl", f"{base}/2017-10-29-beta"),
        ("2019-09-10-beta", "IpsApi-2019-09-10-beta.wsdl", f"{base}/2019-09-10-beta"),
        ("2023-01-15", "IpsApi-2023-01-15.wsdl", f"{base}/2023-01-15"),
    ]
    assert [v.is_legacy for v in API_VERSIONS] == [True] + [False] * 16
    # namespaces known only from docs examples serve the shape of the nearest earlier version
    shapes = {v.label: v.shape for v in API_VERSIONS if v.shape != v.label}
    assert shapes == {
        "2011-11-04-beta": "4.5",
        "2011-11-04": "4.5",
        "2012-07-31-beta": "6.0",
        "2012-07-31": "6.0",
    }


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("6.8", "6.8"),
        ("2014-04-03", "6.8"),
        ("IpsApi-2014-04-03.wsdl", "6.8"),
        (f"{UNVERSIONED_NAMESPACE}/2014-04-03", "6.8"),
        ("beta", "2016-01-14-beta"),
        ("2016-01-14-beta", "2016-01-14-beta"),
        ("pre-4.0", "pre-4.0"),
        ("IpsApi.wsdl", "pre-4.0"),
    ],
)
def test_find_version_by_label_date_file_namespace_or_alias(name: str, label: str) -> None:
    assert find_version(name).label == label


def test_find_version_of_an_unknown_name_lists_the_versions() -> None:
    with pytest.raises(ValueError, match="2014-04-03") as raised:
        find_version("1999-01-01")
    assert "2023-01-15" in str(raised.value)


def test_only_pre_4_0_lacks_an_operation_and_it_is_get_asset_job_logs() -> None:
    lacking = {
        v.label: set(OPERATION_NAMES) - set(operations_of(v))
        for v in API_VERSIONS
        if operations_of(v) != OPERATION_NAMES
    }
    assert lacking == {"pre-4.0": {"getAssetJobLogs"}}


@VERSIONS
def test_versions_are_found_by_namespace_and_wsdl_file(version: ApiVersion) -> None:
    assert version_for_namespace(version.namespace) is version
    assert version_for_wsdl_file(version.wsdl_file) is version


def test_unknown_namespace_and_wsdl_file_give_none() -> None:
    assert version_for_namespace(UNVERSIONED_NAMESPACE + "/1999-01-01") is None
    assert version_for_namespace(WSDL_NAMESPACE) is None
    assert version_for_wsdl_file("IpsApi-1999-01-01.wsdl") is None
    assert version_for_wsdl_file("ipsapi.wsdl") is None


def test_operation_names_are_the_eleven_job_operations_in_spec_order() -> None:
    assert OPERATION_NAMES == (
        "submitJob",
        "executeJob",
        "getActiveJobs",
        "getScheduledJobs",
        "stopJob",
        "pauseJob",
        "resumeJob",
        "deleteJob",
        "getJobLogs",
        "getJobLogDetails",
        "getAssetJobLogs",
    )


# ----------------------------------------------------------------------------- validators


@VERSIONS
def test_validator_compiles_and_is_cached(version: ApiVersion) -> None:
    validator = schema_validator(version)
    assert isinstance(validator, etree.XMLSchema)
    assert schema_validator(version) is validator


def test_seed_submit_example_validates_in_the_unversioned_namespace() -> None:
    assert errors(PRE_40, xml(SEED_SUBMIT)) == ""


def test_seed_submit_example_validates_only_in_its_own_versioned_namespace() -> None:
    document = xml(SEED_SUBMIT, V68.namespace)
    assert errors(V68, document) == ""
    assert "No matching global declaration" in errors(PRE_40, document)
    assert "No matching global declaration" in errors(V66, document)


#: (id, first version that has every element the case uses, body, element the log names)
INVALID_DOCUMENTS = [
    (
        "out-of-order",
        "pre-4.0",
        "<submitJobParam xmlns={ns}><jobName>J</jobName><companyHandle>47</companyHandle>"
        "<imageServingPublishJob><publishType>Full</publishType>"
        "<emailSetting>Error</emailSetting></imageServingPublishJob></submitJobParam>",
        "jobName",
    ),
    (
        "empty-execTime",
        "pre-4.0",
        "<submitJobParam xmlns={ns}><companyHandle>47</companyHandle><jobName>J</jobName>"
        "<execTime/></submitJobParam>",
        "execTime",
    ),
    (
        "nil-execTime",
        "pre-4.0",
        '<submitJobParam xmlns={ns} xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        '<companyHandle>47</companyHandle><jobName>J</jobName><execTime xsi:nil="true"/>'
        "</submitJobParam>",
        "execTime",
    ),
    (
        "bogus-emailSetting",
        "pre-4.0",
        "<submitJobParam xmlns={ns}><companyHandle>47</companyHandle><jobName>J</jobName>"
        "<imageServingPublishJob><publishType>Full</publishType>"
        "<emailSetting>Bogus</emailSetting></imageServingPublishJob></submitJobParam>",
        "emailSetting",
    ),
    (
        "missing-jobName",
        "pre-4.0",
        "<submitJobParam xmlns={ns}><companyHandle>47</companyHandle>"
        "<imageServingPublishJob><publishType>Full</publishType>"
        "<emailSetting>Error</emailSetting></imageServingPublishJob></submitJobParam>",
        "imageServingPublishJob",
    ),
    (
        "overwrite-yes",
        "pre-4.0",
        "<submitJobParam xmlns={ns}><companyHandle>47</companyHandle><jobName>J</jobName>"
        "<uploadUrlsJob><overwrite>yes</overwrite><readyForPublish>true</readyForPublish>"
        "<createMask>false</createMask><emailSetting>All</emailSetting></uploadUrlsJob>"
        "</submitJobParam>",
        "overwrite",
    ),
    (
        "bad-export-fmt",
        "6.0",
        "<submitJobParam xmlns={ns}><companyHandle>47</companyHandle><jobName>J</jobName>"
        "<exportJob><assetHandleArray/><fmt>zip</fmt><emailSetting>All</emailSetting>"
        "</exportJob></submitJobParam>",
        "fmt",
    ),
    (
        "detail-sortBy-on-getJobLogs",
        "pre-4.0",
        "<getJobLogsParam xmlns={ns}><sortBy>Date</sortBy></getJobLogsParam>",
        "sortBy",
    ),
    (
        "bad-sortDirection",
        "2016-01-14-beta",
        "<getJobLogDetailsParam xmlns={ns}><companyHandle>47</companyHandle>"
        "<sortDirection>Up</sortDirection></getJobLogDetailsParam>",
        "sortDirection",
    ),
    (
        "missing-jobHandle",
        "pre-4.0",
        "<executeJobParam xmlns={ns}><companyHandle>47</companyHandle></executeJobParam>",
        "executeJobParam",
    ),
    (
        "bad-boolean",
        "2016-01-14-beta",
        "<getActiveJobsParam xmlns={ns}><includeWaitingJobs>1x</includeWaitingJobs>"
        "</getActiveJobsParam>",
        "includeWaitingJobs",
    ),
]
#: Checked in the oldest version, the default one and the complete 2016-01-14-beta shape.
CHECKED_VERSIONS = (PRE_40, V68, V16B)


def _applicable(since: str) -> list[ApiVersion]:
    first = API_VERSIONS.index(find_version(since))
    return [v for v in CHECKED_VERSIONS if API_VERSIONS.index(v) >= first]


@pytest.mark.parametrize(
    ("body", "named", "version"),
    [
        pytest.param(body, named, version, id=f"{version.label}-{ident}")
        for ident, since, body, named in INVALID_DOCUMENTS
        for version in _applicable(since)
    ],
)
def test_invalid_documents_fail_naming_the_element(
    body: str, named: str, version: ApiVersion
) -> None:
    log = errors(version, xml(body, version.namespace))
    assert log != ""
    assert named in log


@pytest.mark.parametrize(
    ("version", "body", "named"),
    [
        pytest.param(
            PRE_40,
            "<submitJobParam xmlns={ns}><companyHandle>47</companyHandle><jobName>J</jobName>"
            "<exportJob><assetHandleArray/><fmt>orig</fmt><emailSetting>All</emailSetting>"
            "</exportJob></submitJobParam>",
            "exportJob",
            id="pre-4.0-exportJob",
        ),
        pytest.param(
            V68,
            "<getActiveJobsParam xmlns={ns}><includeWaitingJobs>true</includeWaitingJobs>"
            "</getActiveJobsParam>",
            "includeWaitingJobs",
            id="6.8-includeWaitingJobs",
        ),
        pytest.param(
            V68,
            "<getJobLogDetailsParam xmlns={ns}><companyHandle>47</companyHandle>"
            "<recordsPerPage>2</recordsPerPage></getJobLogDetailsParam>",
            "recordsPerPage",
            id="6.8-recordsPerPage",
        ),
        pytest.param(
            V68,
            "<submitJobParam xmlns={ns}><companyHandle>47</companyHandle><jobName>J</jobName>"
            "<metadataPublishJob/></submitJobParam>",
            "metadataPublishJob",
            id="6.8-metadataPublishJob",
        ),
    ],
)
def test_an_element_the_version_lacks_is_not_expected(
    version: ApiVersion, body: str, named: str
) -> None:
    log = errors(version, xml(body, version.namespace))
    assert "This element is not expected" in log
    assert f"{named}'" in log
    assert errors(V16B, xml(body, V16B.namespace)) == ""


def test_the_one_payload_rule_is_left_to_code() -> None:
    two = (
        "<submitJobParam xmlns={ns}><companyHandle>47</companyHandle><jobName>J</jobName>"
        "<imageServingPublishJob><publishType>Full</publishType><emailSetting>Error</emailSetting>"
        "</imageServingPublishJob><imageRenderingPublishJob><emailSetting>None</emailSetting>"
        "</imageRenderingPublishJob></submitJobParam>"
    )
    for version in API_VERSIONS:
        assert errors(version, xml(two, version.namespace)) == "", version.label


@VERSIONS
def test_fault_elements_in_the_unversioned_namespace_validate(version: ApiVersion) -> None:
    for name in ("ipsApiFault", "authenticationFault", "authorizationFault"):
        fault = xml(f"<{name} xmlns={{ns}}><code>30001</code><reason>bad</reason></{name}>")
        assert errors(version, fault) == ""
    bad_code = xml("<ipsApiFault xmlns={ns}><code>x</code><reason>bad</reason></ipsApiFault>")
    assert "code" in errors(version, bad_code)


@VERSIONS
def test_fault_elements_do_not_exist_in_versioned_namespaces(version: ApiVersion) -> None:
    fault = xml(
        "<ipsApiFault xmlns={ns}><code>30001</code><reason>bad</reason></ipsApiFault>",
        version.namespace,
    )
    assert (errors(version, fault) == "") is version.is_legacy


@VERSIONS
def test_auth_header_validates_unversioned_and_versioned(version: ApiVersion) -> None:
    header = (
        "<authHeader xmlns={ns}><user>a@example.com</user><password>pw</password>"
        "<locale>en-US</locale><gzipResponse>false</gzipResponse>"
        "<faultHttpStatusCode>200</faultHttpStatusCode></authHeader>"
    )
    assert errors(version, xml(header)) == ""
    assert errors(version, xml(header, version.namespace)) == ""
    no_password = "<authHeader xmlns={ns}><user>a@example.com</user></authHeader>"
    for namespace in (UNVERSIONED_NAMESPACE, version.namespace):
        if _at_least(version, V16B):
            # from 2016-01-14-beta user and password are optional (accessToken, samlResponse)
            assert errors(version, xml(no_password, namespace)) == ""
        else:
            assert "password" in errors(version, xml(no_password, namespace))


@VERSIONS
def test_auth_header_token_fields_arrive_in_2016_01_14_beta(version: ApiVersion) -> None:
    token = (
        "<authHeader xmlns={ns}><accessToken>t</accessToken>"
        "<samlResponse>s</samlResponse><appName>app</appName></authHeader>"
    )
    log = errors(version, xml(token, version.namespace))
    if _at_least(version, V16B):
        assert log == ""
    else:
        assert "accessToken" in log


@VERSIONS
def test_every_operation_has_param_and_return_and_void_returns_are_empty(
    version: ApiVersion,
) -> None:
    void = {"executeJob", "stopJob", "pauseJob", "resumeJob", "deleteJob"}
    for op in operations_of(version):
        empty_return = xml(f"<{op}Return xmlns={{ns}}/>", version.namespace)
        assert (errors(version, empty_return) == "") is (op in void), op
    for op in set(OPERATION_NAMES) - set(operations_of(version)):
        for kind in ("Param", "Return"):
            element = xml(f"<{op}{kind} xmlns={{ns}}/>", version.namespace)
            assert "No matching global declaration" in errors(version, element), op
    for op in void:
        param = xml(
            f"<{op}Param xmlns={{ns}}><companyHandle>47</companyHandle>"
            f"<jobHandle>47|J|</jobHandle></{op}Param>",
            version.namespace,
        )
        assert errors(version, param) == ""


ACTIVE_JOBS_RETURN = """
<getActiveJobsReturn xmlns={ns}>
  <jobArray>
    <items>
      <companyHandle>c|47</companyHandle>
      <jobHandle>j|47||My Test Job_2024-01-02-03:04:05.678|1</jobHandle>
      <name>My Test Job_2024-01-02-03:04:05.678</name>
      <originalName>My Test Job</originalName>
      <type>ImageServingPublish</type>
      <state>Running</state>
      <submitUserEmail>user@example.com</submitUserEmail>
      <locale>en-US</locale>
      <serverName>ips-fake</serverName>
      <startDate>2024-01-02T03:04:05.678Z</startDate>
      <triggerTime>2024-01-02T03:04:05.000Z</triggerTime>
      <totalSize>0</totalSize>
      <progress>50</progress>
      <progressMessage>Publishing</progressMessage>
      <lastProgressUpdate>2024-01-02T03:04:06Z</lastProgressUpdate>
      <taskProgressArray>
        <items>
          <taskType>ImageServingPublish</taskType>
          <taskState>Processing</taskState>
          <numProcessed>1</numProcessed>
          <numProcessing>1</numProcessing>
          <numPending>0</numPending>
          <progress>0.5</progress>
          <progressMessage>1 of 2</progressMessage>
          <lastProgressUpdate>2024-01-02T03:04:06Z</lastProgressUpdate>
          <taskItemProgressArray>
            <items>
              <itemName>a.jpg</itemName>
              <progress>1.0</progress>
              <progressMessage>done</progressMessage>
              <lastProgressUpdate>2024-01-02T03:04:06Z</lastProgressUpdate>
            </items>
          </taskItemProgressArray>
        </items>
      </taskProgressArray>
      <imageServingPublishJob>
        <publishType>Full</publishType>
        <emailSetting>Error</emailSetting>
      </imageServingPublishJob>
    </items>
    <items>
      <companyHandle>c|47</companyHandle>
      <jobHandle>j|47||Urls_2024-01-02-03:04:05.679|2</jobHandle>
      <name>Urls_2024-01-02-03:04:05.679</name>
      <originalName>Urls</originalName>
      <type>UrlUpload</type>
      <state>WaitingCoordinator</state>
      <submitUserEmail>user@example.com</submitUserEmail>
      <serverName>ips-fake</serverName>
      <startDate>2024-01-02T03:04:05.679Z</startDate>
      <triggerTime>2024-01-02T03:04:05Z</triggerTime>
      <totalSize>0</totalSize>
      <progress>0</progress>
      <progressMessage></progressMessage>
      <lastProgressUpdate>2024-01-02T03:04:05.679Z</lastProgressUpdate>
      <taskProgressArray/>
      <uploadUrlsJob>
        <urlArray/>
        <numUrls>2</numUrls>
        <overwrite>true</overwrite>
        <readyForPublish>true</readyForPublish>
        <preservePublishState>false</preservePublishState>
        <createMask>false</createMask>
        <preserveCrop>true</preserveCrop>
        <photoshopOptions><process>None</process></photoshopOptions>
        <postScriptOptions>
          <process>None</process><resolution>72.0</resolution><colorspace>Auto</colorspace>
          <alpha>false</alpha><extractSearchWords>false</extractSearchWords>
        </postScriptOptions>
        <pdfOptions>
          <process>render</process><resolution>72.0</resolution><colorspace>Auto</colorspace>
          <pdfCatalog>true</pdfCatalog><extractSearchWords>false</extractSearchWords>
          <extractLinks>true</extractLinks>
        </pdfOptions>
        <colorManagementOptions><colorManagement>Default</colorManagement></colorManagementOptions>
        <emailSetting>None</emailSetting>
        <postJobOnlyIfFiles>false</postJobOnlyIfFiles>
        <inDesignOptions><process>None</process></inDesignOptions>
      </uploadUrlsJob>
    </items>
  </jobArray>
</getActiveJobsReturn>
"""

JOB_LOG_DETAILS_RETURN = """
<getJobLogDetailsReturn xmlns={ns}>
  <jobLogArray>
    <items>
      <companyHandle>47</companyHandle>
      <jobHandle>47||My Test Job_2024-01-02-03:04:05.678</jobHandle>
      <jobName>My Test Job_2024-01-02-03:04:05.678</jobName>
      <originalJobName>My Test Job</originalJobName>
      <submitUserEmail>user@example.com</submitUserEmail>
      <logType>ImageServingPublish</logType>
      <jobSubType>full</jobSubType>
      <startDate>2024-01-02T03:04:05.678Z</startDate>
      <endDate>2024-01-02T03:04:09Z</endDate>
      <description></description>
      <fileSuccessCount>2</fileSuccessCount>
      <fileErrorCount>0</fileErrorCount>
      <fileWarningCount>0</fileWarningCount>
      <fileDuplicateCount>0</fileDuplicateCount>
      <fileUpdateCount>0</fileUpdateCount>
      <totalFileCount>2</totalFileCount>
      <transferSuccessCount>0</transferSuccessCount>
      <transferErrorCount>0</transferErrorCount>
      <transferWarningCount>0</transferWarningCount>
      <fatalError>false</fatalError>
      <detailTotalRows>2</detailTotalRows>
      <detailArray>
        <items>
          <logMessage>Image Serving publish started</logMessage>
          <logType>BeginImageServingPublish</logType>
          <dateCreated>2024-01-02T03:04:05.678Z</dateCreated>
        </items>
        <items>
          <logMessage>Published</logMessage>
          <logType>ImageServingPublishSuccess</logType>
          <dateCreated>2024-01-02T03:04:09Z</dateCreated>
          <assetName>a.jpg</assetName>
          <assetType>Image</assetType>
          <assetHandle>a|47|1|1</assetHandle>
          <auxArray>
            <items><logMessage>note</logMessage><logType>JobType</logType></items>
          </auxArray>
        </items>
      </detailArray>
    </items>
  </jobLogArray>
</getJobLogDetailsReturn>
"""


#: Elements of the samples above (complete 2016-01-14-beta shapes) that arrive after pre-4.0:
#: (path of local names, first version that has it, name the validator's complaint gives).
#: spec/versions.md and docs/fidelity.md, "API versions".
ARRIVALS: tuple[tuple[str, str, str], ...] = (
    # ActiveJob
    ("jobArray/items/locale", "4.0", "locale"),
    ("jobArray/items/triggerTime", "2016-01-14-beta", "triggerTime"),
    ("jobArray/items/taskProgressArray", "4.5", "taskProgressArray"),
    ("taskProgressArray/items/taskState", "6.0", "taskState"),
    ("uploadUrlsJob/numUrls", "6.0", "numUrls"),
    ("uploadUrlsJob/preservePublishState", "4.2", "preservePublishState"),
    ("uploadUrlsJob/preserveCrop", "4.2", "preserveCrop"),
    # {process} from 4.5; before, {maintainLayers, layerNaming, anchor}
    ("uploadUrlsJob/photoshopOptions", "4.5", "process"),
    ("postScriptOptions/process", "4.0", "process"),
    ("postScriptOptions/alpha", "4.0", "alpha"),
    ("uploadUrlsJob/pdfOptions", "4.0", "pdfOptions"),
    ("pdfOptions/extractLinks", "4.4", "extractLinks"),
    ("uploadUrlsJob/inDesignOptions", "4.5", "inDesignOptions"),
    # JobLog and JobLogDetail
    ("jobLogArray/items/originalJobName", "4.0", "originalJobName"),
    ("jobLogArray/items/jobSubType", "4.0", "jobSubType"),
    ("jobLogArray/items/description", "4.0", "description"),
    ("jobLogArray/items/transferSuccessCount", "4.4", "transferSuccessCount"),
    ("jobLogArray/items/transferErrorCount", "4.4", "transferErrorCount"),
    ("jobLogArray/items/transferWarningCount", "4.4", "transferWarningCount"),
    ("jobLogArray/items/detailTotalRows", "2016-01-14-beta", "detailTotalRows"),
    ("detailArray/items/dateCreated", "2016-01-14-beta", "dateCreated"),
    ("detailArray/items/assetHandle", "4.0", "assetHandle"),
    ("detailArray/items/auxArray", "4.5", "auxArray"),
)


def _without(document: etree._Element, path: str) -> int:
    """Remove every element at ``path`` (local names, anywhere in ``document``); how many."""
    steps = "/".join(f"*[local-name()='{step}']" for step in path.split("/"))
    found = document.xpath(f".//{steps}")
    assert isinstance(found, list)
    for node in found:
        assert isinstance(node, etree._Element)
        parent = node.getparent()
        assert parent is not None
        parent.remove(node)
    return len(found)


def sample_for(text: str, version: ApiVersion, keep: str | None = None) -> etree._Element:
    """A sample return in ``version``'s namespace without the elements ``version`` lacks
    (except ``keep``, a path of :data:`ARRIVALS`)."""
    document = xml(text, version.namespace)
    for path, since, _ in ARRIVALS:
        if path != keep and not _at_least(version, find_version(since)):
            _without(document, path)
    return document


ACTIVE_JOBS_RETURN_PATHS = frozenset(
    path for path, _, _ in ARRIVALS if _without(xml(ACTIVE_JOBS_RETURN), path)
)


def _has_container(version: ApiVersion, path: str) -> bool:
    """False when ``path`` lies inside another arrival that ``version`` lacks as well."""
    first = path.split("/")[0]
    return all(
        _at_least(version, find_version(since))
        for other, since, _ in ARRIVALS
        if other != path and other.split("/")[-1] == first
    )


def test_every_arrival_is_in_a_sample() -> None:
    for path, _, _ in ARRIVALS:
        found = sum(
            _without(xml(text), path) for text in (ACTIVE_JOBS_RETURN, JOB_LOG_DETAILS_RETURN)
        )
        assert found > 0, path


@VERSIONS
def test_sample_returns_validate(version: ApiVersion) -> None:
    assert errors(version, sample_for(ACTIVE_JOBS_RETURN, version)) == ""
    assert errors(version, sample_for(JOB_LOG_DETAILS_RETURN, version)) == ""
    for op in ("getActiveJobs", "getScheduledJobs"):
        empty = xml(f"<{op}Return xmlns={{ns}}><jobArray/></{op}Return>", version.namespace)
        assert errors(version, empty) == ""
    for op in ("getJobLogs", "getJobLogDetails", "getAssetJobLogs"):
        if op not in operations_of(version):
            continue
        empty = xml(f"<{op}Return xmlns={{ns}}><jobLogArray/></{op}Return>", version.namespace)
        assert errors(version, empty) == ""


@pytest.mark.parametrize(
    ("version", "path", "named"),
    [
        pytest.param(version, path, named, id=f"{version.label}-{path}")
        for path, since, named in ARRIVALS
        for version in API_VERSIONS
        if not _at_least(version, find_version(since)) and _has_container(version, path)
    ],
)
def test_an_element_is_refused_before_its_version(
    version: ApiVersion, path: str, named: str
) -> None:
    text = ACTIVE_JOBS_RETURN if path in ACTIVE_JOBS_RETURN_PATHS else JOB_LOG_DETAILS_RETURN
    log = errors(version, sample_for(text, version, keep=path))
    assert f"{named}'" in log


def test_return_constants_are_enumerated() -> None:
    bad_state = ACTIVE_JOBS_RETURN.replace("<state>Running</state>", "<state>Busy</state>")
    assert "state" in errors(V68, sample_for(bad_state, V68))
    bad_task = ACTIVE_JOBS_RETURN.replace("<taskState>Processing", "<taskState>Working")
    assert "taskState" in errors(V68, sample_for(bad_task, V68))


def test_job_log_without_required_counts_fails() -> None:
    broken = JOB_LOG_DETAILS_RETURN.replace("<fatalError>false</fatalError>", "")
    assert errors(V68, sample_for(JOB_LOG_DETAILS_RETURN, V68)) == ""
    assert "fatalError" in errors(V68, sample_for(broken, V68))


# ---------------------------------------------------------------------------- XSD documents


def _global_elements(schema: etree._Element) -> set[str]:
    return {node.get("name", "") for node in schema.iterchildren(f"{{{XSD}}}element")}


def test_legacy_xsd_documents_are_one_merged_schema() -> None:
    (schema,) = xsd_documents(PRE_40)
    assert schema.get("targetNamespace") == UNVERSIONED_NAMESPACE
    names = [node.get("name") for node in schema.iterchildren(f"{{{XSD}}}element")]
    assert len(names) == len(set(names))
    assert {"authHeader", "ipsApiFault", "authenticationFault", "authorizationFault"} <= set(names)
    assert {f"{op}{kind}" for op in operations_of(PRE_40) for kind in ("Param", "Return")} <= set(
        names
    )
    assert not {"getAssetJobLogsParam", "getAssetJobLogsReturn"} & set(names)


@pytest.mark.parametrize("version", API_VERSIONS[1:], ids=lambda v: v.label)
def test_versioned_xsd_documents_are_jobs_then_faults(version: ApiVersion) -> None:
    jobs, faults = xsd_documents(version)
    assert jobs.get("targetNamespace") == version.namespace
    assert jobs.nsmap[None] == version.namespace
    assert faults.get("targetNamespace") == UNVERSIONED_NAMESPACE
    assert _global_elements(faults) == {
        "authHeader",
        "ipsApiFault",
        "authenticationFault",
        "authorizationFault",
    }
    assert "ipsApiFault" not in _global_elements(jobs)
    assert {f"{op}{kind}" for op in OPERATION_NAMES for kind in ("Param", "Return")} <= (
        _global_elements(jobs)
    )


def test_xsd_documents_are_fresh_copies() -> None:
    first = xsd_documents(V68)[0]
    first.clear()
    assert len(xsd_documents(V68)[0]) > 0


def test_auth_header_is_identical_in_both_schema_files() -> None:
    jobs, faults = xsd_documents(V68)

    def auth_header(schema: etree._Element) -> bytes:
        (node,) = [
            n for n in schema.iterchildren(f"{{{XSD}}}element") if n.get("name") == "authHeader"
        ]
        return etree.tostring(node, method="c14n", exclusive=True)

    assert auth_header(jobs) == auth_header(faults)


# ------------------------------------------------------------------------------------ WSDL


def parse_wsdl(version: ApiVersion) -> etree._Element:
    """The WSDL of ``version`` served at ADDRESS, parsed."""
    wsdl = wsdl_document(version, ADDRESS)
    assert wsdl.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    return etree.fromstring(wsdl)


@VERSIONS
def test_wsdl_has_one_schema_per_namespace(version: ApiVersion) -> None:
    root = parse_wsdl(version)
    assert root.get("targetNamespace") == WSDL_NAMESPACE
    schemas = root.findall(f"{{{WSDL}}}types/{{{XSD}}}schema")
    namespaces = [schema.get("targetNamespace") for schema in schemas]
    assert len(namespaces) == len(set(namespaces))
    assert set(namespaces) == {version.namespace, UNVERSIONED_NAMESPACE}
    for schema in schemas:
        assert schema.nsmap[None] == schema.get("targetNamespace")


@VERSIONS
def test_wsdl_bindings_ports_and_headers(version: ApiVersion) -> None:
    root = parse_wsdl(version)
    operations = operations_of(version)
    headers = root.findall(f".//{{{SOAP11}}}header") + root.findall(f".//{{{SOAP12}}}header")
    assert len(headers) == 2 * len(operations)
    for header in headers:
        assert header.get("namespace") is None
        assert dict(header.items()) == {
            "message": "tns:authHeader",
            "part": "authHeader",
            "use": "literal",
        }
    for soap_ns in (SOAP11, SOAP12):
        actions = [node.get("soapAction") for node in root.iter(f"{{{soap_ns}}}operation")]
        assert actions == list(operations)
        (address,) = root.iter(f"{{{soap_ns}}}address")
        assert address.get("location") == ADDRESS
    ports = {
        port.get("name"): port.get("binding")
        for port in root.iterfind(f"{{{WSDL}}}service[@name='IpsApiService']/{{{WSDL}}}port")
    }
    assert ports == {
        "IpsApiSoapPort": "tns:IpsApiServiceSoapBinding",
        "IpsApiSoap12Port": "tns:IpsApiServiceSoap12Binding",
    }
    parts = {
        message.get("name"): [(p.get("name"), p.get("element")) for p in message]
        for message in root.iterchildren(f"{{{WSDL}}}message")
    }
    assert len(parts) == 2 * len(operations) + 4
    prefix = {value: key for key, value in root.nsmap.items() if key}
    assert parts["submitJobRequest"] == [("input", f"{prefix[version.namespace]}:submitJobParam")]
    assert parts["authHeader"] == [("authHeader", f"{prefix[version.namespace]}:authHeader")]
    assert parts["ipsApiFault"] == [("fault", f"{prefix[UNVERSIONED_NAMESPACE]}:ipsApiFault")]


def test_wsdl_address_is_escaped_and_cached() -> None:
    address = "http://h:1/scene7/services/IpsApiService?a=1&b=<2>"
    root = etree.fromstring(wsdl_document(V68, address))
    assert {node.get("location") for node in root.iter(f"{{{SOAP11}}}address")} == {address}
    assert wsdl_document(V68, address) is wsdl_document(V68, address)


# ------------------------------------------------------------------------------------ zeep


@pytest.fixture(params=API_VERSIONS, ids=lambda v: v.label)
def loaded(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[ApiVersion, zeep.Client]:
    """A zeep client built from the WSDL of each API version, loaded from a file."""
    version: ApiVersion = request.param
    path = tmp_path / version.wsdl_file
    path.write_bytes(wsdl_document(version, ADDRESS))
    return version, zeep.Client(str(path))


def test_zeep_lists_every_operation_on_both_ports(loaded: tuple[ApiVersion, zeep.Client]) -> None:
    version, client = loaded
    service = client.wsdl.services["IpsApiService"]
    assert set(service.ports) == {"IpsApiSoapPort", "IpsApiSoap12Port"}
    for port in service.ports.values():
        assert port.binding_options["address"] == ADDRESS
        assert sorted(port.binding._operations) == sorted(operations_of(version))


@pytest.mark.parametrize("port_name", ["IpsApiSoap12Port", "IpsApiSoapPort"])
def test_zeep_builds_a_submit_job_message(
    loaded: tuple[ApiVersion, zeep.Client], port_name: str
) -> None:
    version, client = loaded
    service = client.bind("IpsApiService", port_name)
    envelope = client.create_message(
        service,
        "submitJob",
        companyHandle="47",
        jobName="My Test Job",
        imageServingPublishJob={"publishType": "Full", "emailSetting": "Error"},
        _soapheaders={"authHeader": {"user": "user@example.com", "password": "secret"}},
    )
    if port_name == "IpsApiSoap12Port":
        assert etree.QName(envelope).namespace == SOAP12_ENVELOPE
    header, body = envelope
    (auth,) = header
    assert auth.tag == f"{{{version.namespace}}}authHeader"
    assert [etree.QName(child).localname for child in auth] == ["user", "password"]
    (param,) = body
    assert param.tag == f"{{{version.namespace}}}submitJobParam"
    assert errors(version, param) == ""
    assert errors(version, auth) == ""
    assert param.findtext(f"{{{version.namespace}}}jobName") == "My Test Job"


def test_zeep_reads_the_sample_returns(loaded: tuple[ApiVersion, zeep.Client]) -> None:
    version, client = loaded
    active = client.get_element(f"{{{version.namespace}}}getActiveJobsReturn")
    result = active.parse(sample_for(ACTIVE_JOBS_RETURN, version), client.wsdl.types)
    first, second = result.jobArray["items"]
    assert first.state == "Running"
    assert second.uploadUrlsJob.overwrite is True
    if _at_least(version, V45):
        item = first.taskProgressArray["items"][0].taskItemProgressArray["items"][0]
        assert item.progress == 1.0
    else:
        assert "taskProgressArray" not in first
    if _at_least(version, V60):
        assert second.uploadUrlsJob.numUrls == 2
    else:
        assert "numUrls" not in second.uploadUrlsJob
    details = client.get_element(f"{{{version.namespace}}}getJobLogDetailsReturn")
    logs = details.parse(sample_for(JOB_LOG_DETAILS_RETURN, version), client.wsdl.types)
    (log,) = logs.jobLogArray["items"]
    assert log.fileSuccessCount == 2
    if _at_least(version, V16B):
        assert log.detailTotalRows == 2
        assert log.detailArray["items"][0].dateCreated.year == 2024
    else:
        assert "detailTotalRows" not in log
    fault = client.get_element(f"{{{UNVERSIONED_NAMESPACE}}}ipsApiFault")
    parsed = fault.parse(
        xml("<ipsApiFault xmlns={ns}><code>30001</code><reason>r</reason></ipsApiFault>"),
        client.wsdl.types,
    )
    assert parsed.code == 30001
