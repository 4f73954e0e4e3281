"""Each IPS API version's job schema and WSDL, derived from one annotated source.

The package data under ``ips_fake/schema`` holds two XSD files, both written in the
unversioned namespace ``http://www.scene7.com/IpsApi/xsd``:

* ``ips-jobs.xsd``: every ``<op>Param`` / ``<op>Return`` element of the job subsystem, the
  ``authHeader`` SOAP header and all types, each element and changed shape annotated with the
  versions that have it (``v:since`` / ``v:until``, see the file's header). A version's schema
  keeps what its range admits, drops the named types it no longer reaches, and is re-targeted
  to the version's namespace (root ``targetNamespace`` and ``xmlns``); own types are referenced
  with the prefix ``ips``.
* ``ips-faults.xsd``: the three fault detail elements. Faults are always unversioned; each
  version's unversioned schema also gets that version's ``authHeader``, since clients may send
  it unversioned next to a versioned body. For pre-4.0, whose namespace *is* the unversioned
  one, both are merged into one schema.

Which version has which element, and why: spec/versions.md and docs/fidelity.md ("API
versions"); tests/soap/test_version_facts.py holds the derived pre-4.0 and 2016-01-14-beta
schemas to the real ones.

Example::

    >>> from lxml import etree
    >>> version = version_for_wsdl_file("IpsApi-2014-04-03.wsdl")
    >>> version.label
    '6.8'
    >>> body = etree.fromstring(
    ...     b'<stopJobParam xmlns="http://www.scene7.com/IpsApi/xsd/2014-04-03">'
    ...     b"<companyHandle>c|47</companyHandle><jobHandle>j|47|x||</jobHandle></stopJobParam>"
    ... )
    >>> schema_validator(version).validate(body)
    True
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from lxml import etree

__all__ = [
    "API_VERSIONS",
    "OPERATION_NAMES",
    "UNVERSIONED_NAMESPACE",
    "VERSION_ALIASES",
    "WSDL_NAMESPACE",
    "ApiVersion",
    "find_version",
    "operations_of",
    "schema_validator",
    "version_for_namespace",
    "version_for_wsdl_file",
    "wsdl_document",
    "xsd_documents",
]

UNVERSIONED_NAMESPACE = "http://www.scene7.com/IpsApi/xsd"
"""Schema namespace of pre-4.0 requests, and of fault details in every version."""

WSDL_NAMESPACE = "http://www.scene7.com/IpsApi"
"""Target namespace of the WSDL itself (port type, messages, bindings)."""

_XSD_NS = "http://www.w3.org/2001/XMLSchema"
_WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
_SOAP11_NS = "http://schemas.xmlsoap.org/wsdl/soap/"
_SOAP12_NS = "http://schemas.xmlsoap.org/wsdl/soap12/"
_HTTP_TRANSPORT = "http://schemas.xmlsoap.org/soap/http"

_SCHEMA_PACKAGE = "ips_fake.schema"
_JOBS_FILE = "ips-jobs.xsd"
_FAULTS_FILE = "ips-faults.xsd"
_RESOLVER_PREFIX = "ips-fake-schema:"

_FAULT_ELEMENTS = ("ipsApiFault", "authenticationFault", "authorizationFault")
_ANNOTATION_NS = "urn:ips-fake:api-versions"
_SINCE = f"{{{_ANNOTATION_NS}}}since"
_OWN_PREFIX = "ips"
#: General types every IPS schema declares, kept even where no job element uses them.
_SHARED_TYPES = frozenset({"HandleArray", "StringArray"})
_UNTIL = f"{{{_ANNOTATION_NS}}}until"


@dataclass(frozen=True)
class ApiVersion:
    """One IPS API version: its label, the WSDL file that describes it, its schema namespace.

    ``shape`` is the label of the version whose schema it serves: its own, except for a
    namespace known only from Adobe's documentation examples, which serves the shape of the
    nearest earlier version (docs/fidelity.md, "API versions").

    Example::

        >>> API_VERSIONS[0]
        ApiVersion(label='pre-4.0', wsdl_file='IpsApi.wsdl', namespace='http://www.scene7.com/IpsApi/xsd')
        >>> API_VERSIONS[0].is_legacy, API_VERSIONS[1].is_legacy
        (True, False)
        >>> find_version("2011-11-04").shape
        '4.5'
    """

    label: str
    wsdl_file: str
    namespace: str
    shape: str = field(default="", repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.shape:
            object.__setattr__(self, "shape", self.label)

    @property
    def is_legacy(self) -> bool:
        """True only for pre-4.0, whose schema namespace is the unversioned one."""
        return self.namespace == UNVERSIONED_NAMESPACE

    @property
    def date(self) -> str | None:
        """The namespace's date (``"2014-04-03"``), None for pre-4.0."""
        return None if self.is_legacy else self.namespace.rsplit("/", 1)[1]


def _versioned(label: str, date: str, shape: str = "") -> ApiVersion:
    return ApiVersion(label, f"IpsApi-{date}.wsdl", f"{UNVERSIONED_NAMESPACE}/{date}", shape)


API_VERSIONS: tuple[ApiVersion, ...] = (
    ApiVersion("pre-4.0", "IpsApi.wsdl", UNVERSIONED_NAMESPACE),
    _versioned("4.0", "2008-01-15"),
    _versioned("4.2", "2008-09-10"),
    _versioned("4.4", "2009-07-31"),
    _versioned("4.5", "2010-01-31"),
    _versioned("2011-11-04-beta", "2011-11-04-beta", shape="4.5"),
    _versioned("2011-11-04", "2011-11-04", shape="4.5"),
    _versioned("6.0", "2012-02-14"),
    _versioned("2012-07-31-beta", "2012-07-31-beta", shape="6.0"),
    _versioned("2012-07-31", "2012-07-31", shape="6.0"),
    _versioned("6.6", "2013-02-15"),
    _versioned("2013-08-29-beta", "2013-08-29-beta"),
    _versioned("6.8", "2014-04-03"),
    _versioned("2016-01-14-beta", "2016-01-14-beta"),
    _versioned("2017-10-29-beta", "2017-10-29-beta"),
    _versioned("2019-09-10-beta", "2019-09-10-beta"),
    _versioned("2023-01-15", "2023-01-15"),
)
"""Every API version the fake speaks, oldest first (spec/versions.md; docs/fidelity.md)."""

VERSION_ALIASES: dict[str, str] = {"beta": "2016-01-14-beta"}
"""Older names of versions: ``beta`` was the 2016-01-14-beta version's label."""

OPERATION_NAMES: tuple[str, ...] = (
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
"""The eleven job operations, in spec order; each has ``<op>Param`` and ``<op>Return``.
A version has the ones its schema declares (:func:`operations_of`)."""

_BY_NAMESPACE = {version.namespace: version for version in API_VERSIONS}
_BY_WSDL_FILE = {version.wsdl_file: version for version in API_VERSIONS}
_ORDER = {version.label: index for index, version in enumerate(API_VERSIONS)}


def version_for_namespace(namespace: str) -> ApiVersion | None:
    """Return the API version whose schema namespace is ``namespace``, or None.

    Example::

        >>> version_for_namespace("http://www.scene7.com/IpsApi/xsd/2008-01-15").label
        '4.0'
        >>> version_for_namespace("urn:other") is None
        True
    """
    return _BY_NAMESPACE.get(namespace)


def version_for_wsdl_file(file_name: str) -> ApiVersion | None:
    """Return the API version described by the WSDL file ``file_name`` (exact name), or None.

    Example::

        >>> version_for_wsdl_file("IpsApi.wsdl").label
        'pre-4.0'
        >>> version_for_wsdl_file("IpsApi-1999-01-01.wsdl") is None
        True
    """
    return _BY_WSDL_FILE.get(file_name)


def find_version(name: str) -> ApiVersion:
    """An API version by label (``"6.8"``, ``"pre-4.0"``), date (``"2014-04-03"``), WSDL
    file, namespace or alias (``"beta"`` = 2016-01-14-beta).

    Raises ValueError listing the known versions when ``name`` names none.

    Example::

        >>> find_version("2014-04-03").label
        '6.8'
        >>> find_version("beta").wsdl_file
        'IpsApi-2016-01-14-beta.wsdl'
    """
    wanted = VERSION_ALIASES.get(name.strip(), name.strip())
    for version in API_VERSIONS:
        if wanted in (version.label, version.wsdl_file, version.namespace, version.date):
            return version
    known = ", ".join(
        version.label
        if version.date in (None, version.label)
        else f"{version.label} ({version.date})"
        for version in API_VERSIONS
    )
    raise ValueError(f"unknown IPS API version {name!r}; use a label or date: {known}")


def _order(label: str) -> int:
    try:
        return _ORDER[label]
    except KeyError:
        raise RuntimeError(
            f"{_JOBS_FILE} names API version {label!r} in a v:since or v:until attribute; "
            f"use one of: {', '.join(_ORDER)}"
        ) from None


# --------------------------------------------------------------------------- XSD documents


@functools.cache
def _package_file(name: str) -> bytes:
    return resources.files(_SCHEMA_PACKAGE).joinpath(name).read_bytes()


def _retarget(source: bytes, namespace: str) -> bytes:
    """Rewrite the unversioned target and default namespace of ``source`` to ``namespace``."""
    result = source
    for attribute in ("targetNamespace", "xmlns"):
        old = f'{attribute}="{UNVERSIONED_NAMESPACE}"'.encode()
        if result.count(old) != 1:
            raise RuntimeError(
                f"{_JOBS_FILE} must declare {old.decode()} exactly once on its root element "
                "so it can be served in each API version's namespace; fix the schema file"
            )
        result = result.replace(old, f'{attribute}="{namespace}"'.encode())
    return result


def _parse(source: bytes) -> etree._Element:
    parser = etree.XMLParser(remove_blank_text=True, no_network=True, resolve_entities=False)
    return etree.fromstring(source, parser)


def _in_version(node: etree._Element, position: int) -> bool:
    since = node.get(_SINCE)
    until = node.get(_UNTIL)
    return (since is None or _order(since) <= position) and (
        until is None or position <= _order(until)
    )


def _own_type_names(node: etree._Element) -> set[str]:
    """Names of the schema's own types that ``node`` and its descendants refer to."""
    names: set[str] = set()
    for child in node.iter():
        for attribute in ("type", "base"):
            value = child.get(attribute)
            if value and (":" not in value or value.startswith(f"{_OWN_PREFIX}:")):
                names.add(value.removeprefix(f"{_OWN_PREFIX}:"))
    return names


def _prune_unreachable_types(root: etree._Element) -> None:
    """Drop named types that no global element reaches (directly or through other types)."""
    named = {
        str(node.get("name")): node
        for node in root
        if isinstance(node.tag, str) and etree.QName(node).localname.endswith("Type")
    }
    reached: set[str] = set()
    pending = [
        name
        for node in root
        if isinstance(node.tag, str) and etree.QName(node).localname == "element"
        for name in _own_type_names(node)
    ]
    while pending:
        name = pending.pop()
        if name in reached:
            continue
        reached.add(name)
        if name in named:
            pending.extend(_own_type_names(named[name]))
    for name, node in named.items():
        if name not in reached and name not in _SHARED_TYPES:
            root.remove(node)


def _derive(source: bytes, version: ApiVersion) -> etree._Element:
    """The schema of ``version`` from the annotated ``source``: components outside the
    version's range removed, annotations stripped, unreachable named types dropped."""
    root = _parse(source)
    position = _order(version.shape)
    for node in list(root.iter(f"{{{_XSD_NS}}}*")):
        if not _in_version(node, position):
            parent = node.getparent()
            if parent is not None:
                parent.remove(node)
    for node in root.iter(f"{{{_XSD_NS}}}*"):
        for attribute in (_SINCE, _UNTIL):
            if attribute in node.attrib:
                del node.attrib[attribute]
    _prune_unreachable_types(root)
    # Own types are referenced with the prefix ``ips`` (bound to the target namespace) rather
    # than through the default xmlns: Node's soap package looks unprefixed names up in the
    # WSDL's namespace. Only the annotation namespace's declaration is removed (lxml's
    # cleanup_namespaces cannot see that attribute values use a prefix).
    for node in root.iter(f"{{{_XSD_NS}}}*"):
        for attribute in ("type", "base"):
            value = node.get(attribute)
            if value and ":" not in value:
                node.set(attribute, f"{_OWN_PREFIX}:{value}")
    text = etree.tostring(root, encoding="UTF-8")
    text = text.replace(f' xmlns:v="{_ANNOTATION_NS}"'.encode(), b"", 1)
    target = root.get("targetNamespace", "")
    text = text.replace(b"<xsd:schema ", f'<xsd:schema xmlns:{_OWN_PREFIX}="{target}" '.encode(), 1)
    return _parse(text)


def _jobs_root(version: ApiVersion) -> etree._Element:
    return _derive(_retarget(_package_file(_JOBS_FILE), version.namespace), version)


def _unversioned_auth_header(version: ApiVersion) -> etree._Element:
    """The version's authHeader declaration, in the unversioned namespace."""
    jobs = _derive(_package_file(_JOBS_FILE), version)
    header = next(node for node in jobs if node.get("name") == "authHeader")
    return header


def _component_key(node: etree._Element) -> tuple[str, str | None]:
    return etree.QName(node).localname, node.get("name")


def _merge_into(target: etree._Element, extra: etree._Element) -> None:
    """Append ``extra``'s top-level components to ``target``, skipping ones it already defines."""
    defined = {_component_key(node) for node in target if isinstance(node.tag, str)}
    for node in extra:
        if isinstance(node.tag, str) and _component_key(node) not in defined:
            target.append(copy.deepcopy(node))


@functools.cache
def _schema_roots(version: ApiVersion) -> tuple[etree._Element, ...]:
    jobs = _jobs_root(version)
    faults = _parse(_package_file(_FAULTS_FILE))
    if version.is_legacy:
        _merge_into(jobs, faults)
        return (jobs,)
    faults.insert(0, _unversioned_auth_header(version))
    return (jobs, faults)


@functools.cache
def _serialized(version: ApiVersion) -> tuple[bytes, ...]:
    return tuple(etree.tostring(root, encoding="UTF-8") for root in _schema_roots(version))


@functools.cache
@functools.cache
def operations_of(version: ApiVersion) -> tuple[str, ...]:
    """The job operations ``version`` has, in :data:`OPERATION_NAMES` order.

    Example::

        >>> "getAssetJobLogs" in operations_of(API_VERSIONS[0])
        False
        >>> len(operations_of(find_version("6.8")))
        11
    """
    declared = {node.get("name") for node in _schema_roots(version)[0]}
    return tuple(op for op in OPERATION_NAMES if f"{op}Param" in declared)


def xsd_documents(version: ApiVersion) -> list[etree._Element]:
    """Return the ``<xsd:schema>`` element(s) of ``version``, ready for a WSDL ``<types>``.

    There is exactly one schema per target namespace: for pre-4.0 a single schema holding the
    job types and the fault elements; otherwise the versioned job schema followed by the
    unversioned schema (fault elements and the version's ``authHeader``). The versioned
    schema refers to nothing in the unversioned namespace, so it needs no ``xsd:import``.
    Each call returns fresh copies, free to modify.

    Own types are referenced with the prefix ``ips``, bound on each schema element. Embed the
    schemas by serializing them (as :func:`wsdl_document` does), so that each keeps its
    declarations exactly as written.

    Example::

        >>> [doc.get("targetNamespace") for doc in xsd_documents(API_VERSIONS[0])]
        ['http://www.scene7.com/IpsApi/xsd']
        >>> len(xsd_documents(API_VERSIONS[-1]))
        2
    """
    return [copy.deepcopy(root) for root in _schema_roots(version)]


class _InMemoryResolver(etree.Resolver):
    """Serves the in-memory schema documents to ``xsd:import`` (other URLs: lxml default)."""

    def __init__(self, documents: dict[str, bytes]) -> None:
        super().__init__()
        self._documents = documents

    def resolve(self, system_url: str, public_id: str, context: Any = None) -> Any:
        source = self._documents.get(system_url)
        if source is None:
            return None
        return self.resolve_string(source, context, base_url=system_url)


@functools.cache
def schema_validator(version: ApiVersion) -> etree.XMLSchema:
    """Return the compiled schema of ``version`` (built once, then cached).

    It validates, as a standalone document, any global element of the version's namespace
    (every ``<op>Param``, ``<op>Return`` and ``authHeader``) as well as the three fault
    elements and ``authHeader`` in the unversioned namespace.

    Example::

        >>> from lxml import etree
        >>> fault = etree.fromstring(
        ...     b'<ipsApiFault xmlns="http://www.scene7.com/IpsApi/xsd">'
        ...     b"<code>30001</code><reason>bad</reason></ipsApiFault>"
        ... )
        >>> all(schema_validator(version).validate(fault) for version in API_VERSIONS)
        True
    """
    roots = _schema_roots(version)
    if len(roots) == 1:
        return etree.XMLSchema(roots[0])
    jobs_source, faults_source = _serialized(version)
    jobs_url = f"{_RESOLVER_PREFIX}{version.wsdl_file}.xsd"
    faults_url = f"{_RESOLVER_PREFIX}{_FAULTS_FILE}"
    wrapper = (
        f'<xsd:schema xmlns:xsd="{_XSD_NS}">'
        f'<xsd:import namespace="{version.namespace}" schemaLocation="{jobs_url}"/>'
        f'<xsd:import namespace="{UNVERSIONED_NAMESPACE}" schemaLocation="{faults_url}"/>'
        "</xsd:schema>"
    ).encode()
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(
        _InMemoryResolver(
            {
                jobs_url: jobs_source,
                faults_url: faults_source,
            }
        )
    )
    document = etree.fromstring(wrapper, parser, base_url=f"{_RESOLVER_PREFIX}wrapper.xsd")
    return etree.XMLSchema(document)


# --------------------------------------------------------------------------------- WSDL


def _wsdl(tag: str) -> str:
    return f"{{{_WSDL_NS}}}{tag}"


def _build_wsdl(version: ApiVersion, service_address: str) -> etree._Element:
    types_prefix = "types"
    fault_prefix = types_prefix if version.is_legacy else "faults"
    nsmap = {
        "wsdl": _WSDL_NS,
        "soap": _SOAP11_NS,
        "soap12": _SOAP12_NS,
        "xsd": _XSD_NS,
        "tns": WSDL_NAMESPACE,
        types_prefix: version.namespace,
    }
    if not version.is_legacy:
        nsmap[fault_prefix] = UNVERSIONED_NAMESPACE
    root = etree.Element(_wsdl("definitions"), nsmap=nsmap)
    root.set("name", "IpsApi")
    root.set("targetNamespace", WSDL_NAMESPACE)

    # Filled in by wsdl_document: see _with_types.
    etree.SubElement(root, _wsdl("types"))

    def message(name: str, part: str, element: str) -> None:
        node = etree.SubElement(root, _wsdl("message"), name=name)
        etree.SubElement(node, _wsdl("part"), name=part, element=element)

    operations = operations_of(version)
    for op in operations:
        message(f"{op}Request", "input", f"{types_prefix}:{op}Param")
        message(f"{op}Response", "output", f"{types_prefix}:{op}Return")
    message("authHeader", "authHeader", f"{types_prefix}:authHeader")
    for fault in _FAULT_ELEMENTS:
        message(fault, "fault", f"{fault_prefix}:{fault}")

    port_type = etree.SubElement(root, _wsdl("portType"), name="IpsApiPortType")
    for op in operations:
        operation = etree.SubElement(port_type, _wsdl("operation"), name=op)
        etree.SubElement(operation, _wsdl("input"), message=f"tns:{op}Request")
        etree.SubElement(operation, _wsdl("output"), message=f"tns:{op}Response")
        for fault in _FAULT_ELEMENTS:
            etree.SubElement(operation, _wsdl("fault"), name=fault, message=f"tns:{fault}")

    for binding_name, soap_ns in (
        ("IpsApiServiceSoapBinding", _SOAP11_NS),
        ("IpsApiServiceSoap12Binding", _SOAP12_NS),
    ):

        def soap(tag: str, ns: str = soap_ns) -> str:
            return f"{{{ns}}}{tag}"

        binding = etree.SubElement(
            root, _wsdl("binding"), name=binding_name, type="tns:IpsApiPortType"
        )
        etree.SubElement(binding, soap("binding"), style="document", transport=_HTTP_TRANSPORT)
        for op in operations:
            operation = etree.SubElement(binding, _wsdl("operation"), name=op)
            etree.SubElement(operation, soap("operation"), soapAction=op, style="document")
            request = etree.SubElement(operation, _wsdl("input"))
            etree.SubElement(request, soap("body"), use="literal")
            # No namespace attribute: WS-I BP forbids it in document/literal, and PHP's
            # SoapClient mis-serializes the header when it is present.
            etree.SubElement(
                request, soap("header"), message="tns:authHeader", part="authHeader", use="literal"
            )
            response = etree.SubElement(operation, _wsdl("output"))
            etree.SubElement(response, soap("body"), use="literal")
            for fault in _FAULT_ELEMENTS:
                fault_node = etree.SubElement(operation, _wsdl("fault"), name=fault)
                etree.SubElement(fault_node, soap("fault"), name=fault, use="literal")

    service = etree.SubElement(root, _wsdl("service"), name="IpsApiService")
    for port_name, binding_name, soap_ns in (
        ("IpsApiSoapPort", "IpsApiServiceSoapBinding", _SOAP11_NS),
        ("IpsApiSoap12Port", "IpsApiServiceSoap12Binding", _SOAP12_NS),
    ):
        port = etree.SubElement(
            service, _wsdl("port"), name=port_name, binding=f"tns:{binding_name}"
        )
        etree.SubElement(port, f"{{{soap_ns}}}address", location=service_address)
    return root


@functools.lru_cache(maxsize=64)
def wsdl_document(version: ApiVersion, service_address: str) -> bytes:
    """Return the WSDL of ``version`` whose SOAP 1.1 and 1.2 ports point at ``service_address``.

    The document is UTF-8 with an XML declaration: service ``IpsApiService``, ports
    ``IpsApiSoapPort`` and ``IpsApiSoap12Port``, document/literal, ``soapAction`` = operation
    name, the ``authHeader`` SOAP header and the three faults on every operation, and the
    schemas of :func:`xsd_documents` in ``<wsdl:types>``.

    Example::

        >>> wsdl = wsdl_document(find_version("6.8"), "http://127.0.0.1:8080/scene7/services/IpsApiService")
        >>> wsdl.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
        True
        >>> b"http://www.scene7.com/IpsApi/xsd/2014-04-03" in wsdl
        True
    """
    skeleton = etree.tostring(
        _build_wsdl(version, service_address),
        xml_declaration=True,
        encoding="UTF-8",
        pretty_print=True,
    )
    return _with_types(skeleton, version)


def _with_types(skeleton: bytes, version: ApiVersion) -> bytes:
    """Put the schemas into the skeleton's empty ``<wsdl:types/>``, as text.

    Appending the schema elements to the WSDL tree would let lxml drop each schema's default
    ``xmlns`` as redundant (the WSDL root binds the same namespace to a prefix), which would
    break the unprefixed type references inside the schema. Serializing each schema on its own
    keeps its declarations exactly as written.
    """
    empty = b"<wsdl:types/>"
    if skeleton.count(empty) != 1:
        raise RuntimeError("the WSDL skeleton must hold exactly one empty <wsdl:types/>")
    indent = b"    "
    schemas = b"".join(
        b"".join(
            indent + line + b"\n"
            for line in etree.tostring(root, encoding="UTF-8", pretty_print=True).splitlines()
        )
        for root in _schema_roots(version)
    )
    return skeleton.replace(empty, b"<wsdl:types>\n" + schemas + b"  </wsdl:types>")
