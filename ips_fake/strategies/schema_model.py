"""The schema as data: each API version's element structure (:class:`SchemaModel`) and the
account documents are written for (:class:`Account`)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TypeAlias

from ips_fake.soap.schema import (
    API_VERSIONS,
    ApiVersion,
    find_version,
    operations_of,
)
from ips_fake.soap.structure import Child, Structure, structure_of

_XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
#: Where the fake's clock starts (ips_fake.core.clock.DEFAULT_START): dates cluster around it.
_CLOCK_START = datetime(2026, 1, 5, 9, 0, 0)

#: A document before it becomes XML: (element name, text) or (element name, children).
Node: TypeAlias = tuple[str, "str | tuple[Node, ...]"]


# ===================================================================== the schema, as data

ChildSpec: TypeAlias = Child
"""One element of a type's sequence in one API version (:class:`ips_fake.soap.structure.Child`:
``name``, ``type_name`` (complex, else None), ``simple``, ``min_occurs``, ``max_occurs``,
``enumeration``, ``required``)."""


def _shape_of(version: ApiVersion) -> ApiVersion:
    """The version whose schema ``version`` serves (itself, or for a namespace known only
    from documentation examples the nearest earlier version): versions of one shape share
    one structure and one set of strategies."""
    return version if version.shape == version.label else find_version(version.shape)


@dataclass(frozen=True)
class SchemaModel:
    """One API version's job schema reduced to what a generator needs, read through
    :func:`ips_fake.soap.structure.structure_of` (xmlschema's component model).

    Example::

        >>> from ips_fake.soap.schema import find_version
        >>> model = schema_model(find_version("pre-4.0"))
        >>> [child.name for child in model.children("PhotoshopOptions")]
        ['maintainLayers', 'layerNaming', 'anchor']
        >>> model.has("UploadUrlsJob", "numUrls"), schema_model().has("UploadUrlsJob", "numUrls")
        (False, True)
        >>> schema_model().child("UploadUrlsJob", "emailSetting").enumeration
        ('All', 'Error', 'ErrorAndWarning', 'JobCompletion', 'None')
    """

    structure: Structure

    @property
    def version(self) -> ApiVersion:
        """The API version whose schema this is (for a version serving another's shape:
        that other version)."""
        return self.structure.version

    @property
    def sequences(self) -> Mapping[str, tuple[ChildSpec, ...]]:
        """Every named complex type and every global element with an anonymous complex type
        (``submitJobParam``, ``authHeader``) mapped to its children, in order."""
        return {**self.structure.types, **self.structure.elements}

    def children(self, key: str) -> tuple[ChildSpec, ...]:
        """The children of complex type (or anonymous global element) ``key``, in order;
        KeyError when this version has no such type or element."""
        return self.structure.children_of(key)

    def has(self, key: str, name: str) -> bool:
        """Whether ``key`` exists in this version and has a child ``name``."""
        return key in self.sequences and self.structure.child(key, name) is not None

    def child(self, key: str, name: str) -> ChildSpec:
        """The child ``name`` of ``key``; KeyError when this version has no such child."""
        found = self.structure.child(key, name)
        if found is None:
            raise KeyError(f"{key} has no child {name!r} in API version {self.version.label}")
        return found

    @property
    def payload_names(self) -> tuple[str, ...]:
        """The job payload elements of this version's ``submitJobParam``, in sequence order
        (its complex children)."""
        return tuple(
            spec.name for spec in self.children("submitJobParam") if spec.type_name is not None
        )

    @property
    def operations(self) -> tuple[str, ...]:
        """The job operations this version has (:func:`ips_fake.soap.schema.operations_of`)."""
        return operations_of(self.version)


@functools.cache
def schema_model(version: ApiVersion | None = None) -> SchemaModel:
    """The job schema of ``version`` (default: the newest, 2023-01-15), built on first use
    and cached (about 0.15 s per shape). Versions that serve another version's shape share
    its model.

    Example::

        >>> len(schema_model().payload_names)
        13
        >>> len(schema_model(API_VERSIONS[0]).payload_names)
        6
        >>> "exportJob" in schema_model(API_VERSIONS[0]).payload_names
        False
    """
    return SchemaModel(structure_of(_shape_of(version or API_VERSIONS[-1])))


# ============================================================================ accounts


@dataclass(frozen=True)
class Account:
    """The caller documents are written for, and what the directory holds for it.

    Valid documents use only ``companies`` and ``user_handles``; invalid ones use
    ``foreign_companies`` (existing companies the caller may not act on). Unknown companies and
    users are made up (ids from 900000, addresses at ``example.invalid``), so a directory must
    not contain those. The default is the shipped directory's ``ipsuser@example.com``.

    Example::

        >>> DEFAULT_ACCOUNT.companies
        ('47',)
        >>> Account("qa@example.com", "secret", companies=("49",), user_handles=()).email
        'qa@example.com'
    """

    email: str = "ipsuser@example.com"
    password: str = "password"
    companies: tuple[str, ...] = ("47",)
    user_handles: tuple[str, ...] = (
        "ipsuser@example.com",
        "u|1|ipsuser@example.com",
        "companyadmin@example.com",
        "u|5|contrib@example.com",
    )
    foreign_companies: tuple[str, ...] = ("48",)


DEFAULT_ACCOUNT = Account()
"""``ipsuser@example.com`` / ``password``, an IpsUser of company 47 (the default directory)."""
