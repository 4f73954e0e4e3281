"""Which code a broken sequence gets: 30002 for a required element missing, 30001 otherwise,
decided from the version's structure (libxml2's "Expected is one of" list is cut short)."""

from __future__ import annotations

import pytest
from lxml import etree

from ips_fake.core.errors import FaultCode
from ips_fake.soap.schema import ApiVersion, find_version
from ips_fake.soap.validation import SchemaViolation, first_structural_problem, validate_element

MISSING = FaultCode.MISSING_PARAMETER
INVALID = FaultCode.INVALID_PARAMETER

UPLOAD_DIRECTORY_HEAD = (
    "<serverDir>a/</serverDir><overwrite>true</overwrite><readyForPublish>true</readyForPublish>"
    "<includeSubfolders>true</includeSubfolders><createMask>true</createMask>"
    "<processMetadataFiles>true</processMetadataFiles>"
)


def submit(ns: str, inner: str) -> etree._Element:
    return etree.fromstring(f'<submitJobParam xmlns="{ns}">{inner}</submitJobParam>')


@pytest.mark.parametrize(
    ("label", "inner", "expected"),
    [
        pytest.param(
            "6.8",
            "<companyHandle>47</companyHandle><uploadUrlsJob/>",
            (MISSING, "jobName"),
            id="required-skipped",
        ),
        pytest.param(
            "6.8",
            "<jobName>x</jobName><companyHandle>47</companyHandle>",
            (INVALID, "jobName"),
            id="out-of-order-is-not-missing",
        ),
        pytest.param(
            "6.8",
            "<companyHandle>47</companyHandle><jobName>x</jobName><jobName>y</jobName>",
            (INVALID, "jobName"),
            id="once-too-often",
        ),
        pytest.param(
            "2016-01-14-beta",
            "<companyHandle>47</companyHandle><jobName>0</jobName><uploadDirectoryJob>"
            f"{UPLOAD_DIRECTORY_HEAD}<videoEncodingPreset/><emailSetting>All</emailSetting>"
            "</uploadDirectoryJob>",
            (INVALID, "videoEncodingPreset"),
            id="unknown-to-the-version-after-many-optional-names",
        ),
        pytest.param(
            "2016-01-14-beta",
            "<companyHandle>47</companyHandle><jobName>0</jobName><uploadDirectoryJob>"
            f"{UPLOAD_DIRECTORY_HEAD}</uploadDirectoryJob>",
            (MISSING, "emailSetting"),
            id="required-never-comes",
        ),
        pytest.param(
            "4.5",
            "<companyHandle>47</companyHandle><jobName>0</jobName><uploadUrlsJob><urlArray/>"
            "<overwrite>true</overwrite><readyForPublish>true</readyForPublish>"
            "<createMask>true</createMask><emailSetting>All</emailSetting>"
            "<mediaOptions><videoEncodingPresetsArray/></mediaOptions></uploadUrlsJob>",
            (INVALID, "videoEncodingPresetsArray"),
            id="child-of-a-type-empty-in-the-version",
        ),
        pytest.param(
            "pre-4.0",
            "<companyHandle>47</companyHandle><jobName>0</jobName><uploadUrlsJob>"
            "<overwrite>true</overwrite><readyForPublish>true</readyForPublish>"
            "<createMask>true</createMask><emailSetting>All</emailSetting></uploadUrlsJob>",
            (MISSING, "urlArray"),
            id="urlArray-required-before-2016-01-14-beta",
        ),
    ],
)
def test_the_first_structural_problem_and_its_code(
    label: str, inner: str, expected: tuple[int, str]
) -> None:
    version = find_version(label)
    element = submit(version.namespace, inner)
    assert first_structural_problem(element, version) == expected
    with pytest.raises(SchemaViolation) as raised:
        validate_element(element, version)
    code, name = expected
    assert raised.value.code == code
    assert f"'{name}'" in raised.value.reason


def test_a_valid_sequence_has_no_structural_problem() -> None:
    version = find_version("2016-01-14-beta")
    element = submit(
        version.namespace,
        "<companyHandle>47</companyHandle><jobName>0</jobName><uploadDirectoryJob>"
        f"{UPLOAD_DIRECTORY_HEAD}<emailSetting>All</emailSetting></uploadDirectoryJob>",
    )
    assert first_structural_problem(element, version) is None
    validate_element(element, version)


def test_a_large_refused_document_gets_no_path_from_the_slow_explainer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """xmlschema's cost per element and per namespace declaration is far above lxml's, so
    only documents within the documented bounds get the element's path in the reason."""
    import ips_fake.soap.validation as validation

    calls: list[str] = []
    real = validation.error_path  # type: ignore[attr-defined]

    def counted(element: etree._Element, version: ApiVersion) -> str | None:
        calls.append("x")
        return real(element, version)

    monkeypatch.setattr(validation, "error_path", counted)
    version = find_version("6.8")
    ns = version.namespace
    many = "<zz/>" * (validation.EXPLAIN_MAX_ELEMENTS + 1)
    big = etree.fromstring(f'<getJobLogsParam xmlns="{ns}">{many}</getJobLogsParam>')
    with pytest.raises(SchemaViolation) as raised:
        validate_element(big, version)
    assert raised.value.code == INVALID
    assert "'zz'" in raised.value.reason
    assert calls == []

    small = etree.fromstring(f'<getJobLogsParam xmlns="{ns}"><zz/></getJobLogsParam>')
    with pytest.raises(SchemaViolation) as raised:
        validate_element(small, version)
    assert calls == ["x"]
    assert "(at /getJobLogsParam)" in raised.value.reason
