"""Hypothesis strategies for IPS job requests: valid documents, and invalid ones labelled
with the fault they must get.

Every document belongs to one API version and has exactly that version's shape: its
structure comes from the version's own schema, read through
:func:`ips_fake.soap.structure.structure_of` (xmlschema's component model, built lazily per
version and cached): which operations and children an ``<op>Param`` has, their order, which
are optional, which repeat, their types and the values of every enumeration. Invalid
documents include elements of other versions (:attr:`InvalidKind.NOT_IN_VERSION`). Only
what the schema cannot say is written here: the
one-payload rule of ``submitJob``, ``execTime`` versus ``execSchedule``, what a locale, a
handle or a Quartz expression looks like, and realistic words for free-text options.

Hypothesis is needed only when this package is imported: the ``contract`` extra
(docs/install.md); without it, importing this module says which command installs it.

Example::

    >>> from hypothesis import given
    >>> from ips_fake.soap.schema import schema_validator
    >>> @given(valid_documents("submitJob"))
    ... def test_valid(document):
    ...     assert schema_validator(document.version).validate(document.element)
    >>> test_valid()

Every strategy shrinks towards a small document: optional elements absent, the first
enumeration value, the first API version, short texts.

The package holds one concern a module: :mod:`~ips_fake.strategies.schema_model` (the schema
as data), :mod:`~ips_fake.strategies.values` (leaf values), :mod:`~ips_fake.strategies.valid`
(valid documents), :mod:`~ips_fake.strategies.sites` (places in a document),
:mod:`~ips_fake.strategies.breakers` (one small breaker per invalid kind),
:mod:`~ips_fake.strategies.invalid` (invalid documents) and
:mod:`~ips_fake.strategies.forms` (elements, bytes and SOAP envelopes). Every public name is
importable from ``ips_fake.strategies`` itself.
"""

from __future__ import annotations

from ips_fake.extras import missing_extra

try:
    import hypothesis  # noqa: F401  # checked first: every module below needs it
except ModuleNotFoundError as missing:  # an install without the contract extra
    raise ModuleNotFoundError(
        missing_extra("ips_fake.strategies", "hypothesis", "contract"), name="hypothesis"
    ) from missing

from ips_fake.strategies.breakers import (
    InvalidKind,
)
from ips_fake.strategies.forms import (
    ALL_FORMS,
    SOAP11_NAMESPACE,
    SOAP12_NAMESPACE,
    Form,
    Rendered,
    envelope,
    in_forms,
    render,
)
from ips_fake.strategies.invalid import (
    InvalidDocument,
    invalid_documents,
)
from ips_fake.strategies.schema_model import (
    DEFAULT_ACCOUNT,
    Account,
    ChildSpec,
    SchemaModel,
    schema_model,
)
from ips_fake.strategies.valid import (
    ValidDocument,
    api_versions,
    build_param,
    payload_elements,
    to_python,
    valid_documents,
)
from ips_fake.strategies.values import (
    OPTION_VOCABULARY,
    date_time_texts,
    job_names,
    locales,
    quartz_expressions,
)

__all__ = [
    "ALL_FORMS",
    "DEFAULT_ACCOUNT",
    "OPTION_VOCABULARY",
    "SOAP11_NAMESPACE",
    "SOAP12_NAMESPACE",
    "Account",
    "ChildSpec",
    "Form",
    "InvalidDocument",
    "InvalidKind",
    "Rendered",
    "SchemaModel",
    "ValidDocument",
    "api_versions",
    "build_param",
    "date_time_texts",
    "envelope",
    "in_forms",
    "invalid_documents",
    "job_names",
    "locales",
    "payload_elements",
    "quartz_expressions",
    "render",
    "schema_model",
    "to_python",
    "valid_documents",
]
