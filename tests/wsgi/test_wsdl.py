"""The WSDL of every API version as the server serves it: routes, namespaces, addresses that
follow the Host it was fetched from, and zeep loading each one and calling through it."""

from __future__ import annotations

import pytest
import requests
import zeep
from lxml import etree
from werkzeug.test import Client

from ips_fake.fake import IpsFake
from ips_fake.server import FakeServer
from ips_fake.soap.schema import API_VERSIONS, OPERATION_NAMES, ApiVersion, operations_of
from ips_fake.transport import INPROCESS_BASE_URL, InProcessTransport
from tests.wsgi.soap_wire import UNVERSIONED, WSDL_NAMESPACE, assert_no_traceback

WSDL = "http://schemas.xmlsoap.org/wsdl/"
XSD = "http://www.w3.org/2001/XMLSchema"
WSDL_SOAP11 = "http://schemas.xmlsoap.org/wsdl/soap/"
WSDL_SOAP12 = "http://schemas.xmlsoap.org/wsdl/soap12/"
SERVICE = "/scene7/services/IpsApiService"
VERSION_IDS = [version.label for version in API_VERSIONS]


def wsdl_path(version: ApiVersion) -> str:
    return f"/scene7/webservice/{version.wsdl_file}"


def fetch(raw: Client, path: str, host: str = "localhost") -> etree._Element:
    response = raw.get(path, headers={"Host": host})
    assert response.status_code == 200, path
    assert response.headers["Content-Type"] == "text/xml; charset=UTF-8"
    data = response.get_data()
    assert_no_traceback(data)
    return etree.fromstring(data)


def addresses(definitions: etree._Element) -> dict[str, str | None]:
    ports = definitions.findall(f"{{{WSDL}}}service/{{{WSDL}}}port")
    result: dict[str, str | None] = {}
    for port in ports:
        (address,) = [child for child in port if etree.QName(child).localname == "address"]
        result[str(port.get("name"))] = address.get("location")
    return result


def test_every_version_has_a_dated_wsdl_file_but_pre_4_0() -> None:
    assert [version.wsdl_file for version in API_VERSIONS] == [
        "IpsApi.wsdl",
        *(
            f"IpsApi-{date}.wsdl"
            for date in (
                "2008-01-15",
                "2008-09-10",
                "2009-07-31",
                "2010-01-31",
                "2011-11-04-beta",
                "2011-11-04",
                "2012-02-14",
                "2012-07-31-beta",
                "2012-07-31",
                "2013-02-15",
                "2013-08-29-beta",
                "2014-04-03",
                "2016-01-14-beta",
                "2017-10-29-beta",
                "2019-09-10-beta",
                "2023-01-15",
            )
        ),
    ]


@pytest.mark.parametrize("version", API_VERSIONS, ids=VERSION_IDS)
def test_each_version_is_served_with_its_schema_namespace(raw: Client, version: ApiVersion) -> None:
    definitions = fetch(raw, wsdl_path(version))
    assert definitions.tag == f"{{{WSDL}}}definitions"
    assert definitions.get("targetNamespace") == WSDL_NAMESPACE
    schemas = definitions.findall(f"{{{WSDL}}}types/{{{XSD}}}schema")
    namespaces = [schema.get("targetNamespace") for schema in schemas]
    assert namespaces[0] == version.namespace
    assert sorted(namespaces, key=str) == sorted({version.namespace, UNVERSIONED})
    assert len(namespaces) == len(set(namespaces)), "one schema block per namespace"
    jobs_schema = schemas[0]
    declared = {element.get("name") for element in jobs_schema.findall(f"{{{XSD}}}element")}
    for operation in OPERATION_NAMES:
        pair = {f"{operation}Param", f"{operation}Return"}
        if operation in operations_of(version):
            assert pair <= declared
        else:
            assert not pair & declared


@pytest.mark.parametrize("version", API_VERSIONS, ids=VERSION_IDS)
def test_each_version_has_both_ports_and_its_operations(raw: Client, version: ApiVersion) -> None:
    definitions = fetch(raw, wsdl_path(version))
    (service,) = definitions.findall(f"{{{WSDL}}}service")
    assert service.get("name") == "IpsApiService"
    assert addresses(definitions) == {
        "IpsApiSoapPort": "http://localhost" + SERVICE,
        "IpsApiSoap12Port": "http://localhost" + SERVICE,
    }
    for binding in definitions.findall(f"{{{WSDL}}}binding"):
        actions = {
            operation.get("name"): operation[0].get("soapAction")
            for operation in binding.findall(f"{{{WSDL}}}operation")
        }
        assert actions == {name: name for name in operations_of(version)}
        assert len(actions) == (10 if version.is_legacy else 11)
        headers = binding.findall(f".//{{{WSDL}}}input/*")
        assert all(header.get("namespace") is None for header in headers)


def test_the_unversioned_wsdl_is_pre_4_0(raw: Client) -> None:
    definitions = fetch(raw, "/scene7/webservice/IpsApi.wsdl")
    schemas = definitions.findall(f"{{{WSDL}}}types/{{{XSD}}}schema")
    assert [schema.get("targetNamespace") for schema in schemas] == [UNVERSIONED]


@pytest.mark.parametrize("query", ["wsdl", "WSDL", "wsdl="])
def test_service_path_query_wsdl_serves_the_2014_04_03_wsdl(raw: Client, query: str) -> None:
    served = raw.get(f"{SERVICE}?{query}").get_data()
    dated = raw.get("/scene7/webservice/IpsApi-2014-04-03.wsdl").get_data()
    assert served == dated
    assert b'targetNamespace="http://www.scene7.com/IpsApi/xsd/2014-04-03"' in served


@pytest.mark.parametrize(
    "host",
    ["ips.example.test", "ips.example.test:8443", "127.0.0.1:5555", "[::1]:9000"],
)
def test_soap_address_follows_the_host_the_wsdl_was_fetched_from(raw: Client, host: str) -> None:
    for path in ("/scene7/webservice/IpsApi-2008-01-15.wsdl", f"{SERVICE}?wsdl"):
        definitions = fetch(raw, path, host=host)
        assert set(addresses(definitions).values()) == {f"http://{host}{SERVICE}"}


def test_wsdl_fetched_over_https_points_at_https(raw: Client) -> None:
    response = raw.get("/scene7/webservice/IpsApi.wsdl", base_url="https://secure.example.test")
    definitions = etree.fromstring(response.get_data())
    assert set(addresses(definitions).values()) == {f"https://secure.example.test{SERVICE}"}


def test_post_to_a_wsdl_path_is_404(raw: Client) -> None:
    assert raw.post("/scene7/webservice/IpsApi.wsdl", data=b"<x/>").status_code == 404


@pytest.mark.parametrize("version", API_VERSIONS, ids=VERSION_IDS)
def test_zeep_loads_each_version_and_calls_through_it(fake: IpsFake, version: ApiVersion) -> None:
    client = zeep.Client(
        INPROCESS_BASE_URL + wsdl_path(version), transport=InProcessTransport(fake.app)
    )
    assert client.namespaces["ns0"] == version.namespace
    header = client.get_element(f"{{{version.namespace}}}authHeader")
    client.set_default_soapheaders([header(user="ipsuser@example.com", password="password")])
    for port in ("IpsApiSoapPort", "IpsApiSoap12Port"):
        service = client.bind("IpsApiService", port)
        assert service._binding_options["address"] == INPROCESS_BASE_URL + SERVICE
    company = "47" if version.namespace == UNVERSIONED else "c|47"
    # optimizeImagesJob arrives in 4.0; pre-4.0 submits an Image Serving publish
    if version.is_legacy:
        payload, job_type = (
            {"imageServingPublishJob": {"publishType": "Full", "emailSetting": "None"}},
            "ImageServingPublish",
        )
    else:
        payload, job_type = {"optimizeImagesJob": {"emailSetting": "None"}}, "ImageOptimization"
    handle = client.service.submitJob(
        companyHandle=company,
        jobName=f"Job {version.label}",
        execSchedule="0 0 0 * * ?",
        **payload,
    )
    expected = f"47|Job {version.label}|" if version.is_legacy else f"j|47|Job {version.label}||"
    assert handle == expected
    (job,) = client.service.getScheduledJobs(companyHandle=company)
    assert (job.jobHandle, job.type) == (expected, job_type)
    assert fake.journal[-1].namespace == version.namespace


def test_zeep_over_a_real_socket_talks_to_the_address_in_the_wsdl(
    loopback_server: FakeServer,
) -> None:
    response = requests.get(loopback_server.wsdl_url(), timeout=10)
    definitions = etree.fromstring(response.content)
    assert set(addresses(definitions).values()) == {loopback_server.service_url}

    client = zeep.Client(loopback_server.wsdl_url())
    header = client.get_element("ns0:authHeader")
    client.set_default_soapheaders([header(user="ipsadmin@example.com", password="password")])
    name = f"Socket job {len(loopback_server.fake.journal)}"
    for port in ("IpsApiSoapPort", "IpsApiSoap12Port"):
        service = client.bind("IpsApiService", port)
        handle = service.submitJob(
            companyHandle="c|48",
            jobName=f"{name} {port}",
            execSchedule="0 0 0 * * ?",
            imageServingPublishJob={"publishType": "Incremental", "emailSetting": "None"},
        )
        assert handle == f"j|48|{name} {port}||"
        assert loopback_server.fake.journal[-1].soap_version == (
            "1.1" if port == "IpsApiSoapPort" else "1.2"
        )
        assert service.deleteJob(companyHandle="c|48", jobHandle=handle) is None
