"""Our derived schema of each API version, held against the facts of the real IPS schema.

``tests/soap/facts/<version>.json`` writes down, from a real source (the pre-4.0 WSDL, the
Axis2 beans generated from the 2016-01-14-beta WSDL; see each file's ``source`` and ``notes``),
every job-subsystem type and ``<op>Param``/``<op>Return`` element of that version: its child
elements in order, with minOccurs and, for lists, maxOccurs. These tests compare the schema
that ``ips_fake.soap.schema.xsd_documents`` serves for the version, type by type and element
by element, and check that it defines no job type or element the version does not have.

``authHeader`` is deliberately not compared: our schemas keep user/password sufficient in
every version (the spec's versions.md, "authHeader and faults").
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest
import xmlschema
from lxml import etree

from ips_fake.soap.schema import version_for_wsdl_file, xsd_documents

FACTS_DIR = Path(__file__).parent / "facts"

FACT_FILES = {
    "pre-4.0.json": "IpsApi.wsdl",
    "2016-01-14-beta.json": "IpsApi-2016-01-14-beta.wsdl",
}
"""Facts file -> WSDL file name of the version it describes."""

NOT_COMPARED = frozenset({"authHeader", "ipsApiFault", "authenticationFault", "authorizationFault"})
"""Global components outside the job subsystem (header and faults) that a job schema may hold."""

Child = tuple[str, int, int | None]
"""One child element: (name, minOccurs, maxOccurs); maxOccurs None means unbounded."""


def _child(entry: list[Any]) -> Child:
    name, min_occurs, *rest = entry
    if not rest:
        return (name, min_occurs, 1)
    if rest == ["unbounded"]:
        return (name, min_occurs, None)
    return (name, min_occurs, int(rest[0]))


@functools.cache
def load_facts(file_name: str) -> dict[str, Any]:
    """Return the parsed facts file ``file_name``."""
    data: dict[str, Any] = json.loads((FACTS_DIR / file_name).read_text(encoding="utf-8"))
    return data


def fact_children(file_name: str, type_name: str) -> list[Child]:
    """Return the documented children of ``type_name`` in facts file ``file_name``."""
    return [_child(entry) for entry in load_facts(file_name)["types"][type_name]]


@functools.cache
def our_schema(wsdl_file: str) -> xmlschema.XMLSchema:
    """Build our job schema of the version described by ``wsdl_file`` (the first XSD document)."""
    version = version_for_wsdl_file(wsdl_file)
    assert version is not None, f"no API version serves {wsdl_file}"
    job_schema = xsd_documents(version)[0]
    return xmlschema.XMLSchema(etree.tostring(job_schema))


def _component(schema: xmlschema.XMLSchema, name: str) -> Any | None:
    """Return the complex type of global element or named type ``name``, or None."""
    if name[0].islower():
        element = schema.elements.get(name)
        return None if element is None else element.type
    return schema.types.get(name)


def _flatten(group: Any) -> list[Any]:
    """Return the element particles of a content model, in document order."""
    particles: list[Any] = []
    for item in group:
        if isinstance(item, xmlschema.XsdElement):
            particles.append(item)
        else:
            particles.extend(_flatten(item))
    return particles


def our_children(schema: xmlschema.XMLSchema, name: str) -> list[Child] | None:
    """Return our children of ``name`` as (name, minOccurs, maxOccurs), or None if undefined."""
    component = _component(schema, name)
    if component is None:
        return None
    content = component.content
    if not hasattr(content, "model"):
        return []
    if content.model != "sequence":
        raise AssertionError(f"{name}: content model is xsd:{content.model}, expected xsd:sequence")
    return [(e.local_name, e.min_occurs, e.max_occurs) for e in _flatten(content)]


def our_job_components(schema: xmlschema.XMLSchema) -> set[str]:
    """Return the names of all global elements and named complex types in our job schema."""
    namespace = schema.target_namespace
    names = {
        name
        for name, xsd_type in schema.types.items()
        if xsd_type.target_namespace == namespace and xsd_type.is_complex()
    }
    names.update(name for name in schema.elements)
    return names - NOT_COMPARED


def _show(child: Child | None) -> str:
    if child is None:
        return "(nothing)"
    name, min_occurs, max_occurs = child
    upper = "unbounded" if max_occurs is None else str(max_occurs)
    return f"{name} [{min_occurs}..{upper}]"


def describe_mismatch(name: str, expected: list[Child], actual: list[Child]) -> str:
    """Name the type and its first differing element, then list both sequences in full."""
    index = next(
        (i for i, pair in enumerate(zip(expected, actual, strict=False)) if pair[0] != pair[1]),
        min(len(expected), len(actual)),
    )
    want = expected[index] if index < len(expected) else None
    got = actual[index] if index < len(actual) else None
    return (
        f"{name}: child #{index + 1} differs: real IPS has {_show(want)}, our schema has "
        f"{_show(got)}\n  real: {', '.join(map(_show, expected))}\n  ours: "
        f"{', '.join(map(_show, actual))}"
    )


FILES = pytest.mark.parametrize("facts_file", sorted(FACT_FILES), ids=lambda f: f[: -len(".json")])

CASES = [
    pytest.param(file_name, type_name, id=f"{file_name[: -len('.json')]}:{type_name}")
    for file_name in sorted(FACT_FILES)
    for type_name in load_facts(file_name)["types"]
]


@FILES
def test_facts_file_names_its_source_and_version(facts_file: str) -> None:
    facts = load_facts(facts_file)
    assert facts["source"].strip()
    version = version_for_wsdl_file(FACT_FILES[facts_file])
    assert version is not None
    assert facts["version"] == version.namespace
    assert NOT_COMPARED.isdisjoint(facts["types"])


@FILES
def test_our_schema_is_built_in_the_version_namespace(facts_file: str) -> None:
    schema = our_schema(FACT_FILES[facts_file])
    assert schema.target_namespace == load_facts(facts_file)["version"]


@pytest.mark.parametrize(("facts_file", "type_name"), CASES)
def test_type_matches_the_real_schema(facts_file: str, type_name: str) -> None:
    schema = our_schema(FACT_FILES[facts_file])
    expected = fact_children(facts_file, type_name)
    actual = our_children(schema, type_name)
    kind = "element" if type_name[0].islower() else "type"
    if actual is None:
        pytest.fail(f"{type_name}: our schema defines no global {kind} of this name", pytrace=False)
    if actual != expected:
        pytest.fail(describe_mismatch(type_name, expected, actual), pytrace=False)


@FILES
def test_no_job_component_beyond_the_facts(facts_file: str) -> None:
    schema = our_schema(FACT_FILES[facts_file])
    facts = load_facts(facts_file)
    documented = set(facts["types"])
    ours = our_job_components(schema)
    extra = sorted(ours - documented)
    missing = sorted(documented - ours)
    if extra or missing:
        pytest.fail(
            f"our {facts['version']} schema differs in its set of job components:\n"
            f"  not in this version of IPS ({len(extra)}): {', '.join(extra) or '-'}\n"
            f"  missing from ours ({len(missing)}): {', '.join(missing) or '-'}",
            pytrace=False,
        )
