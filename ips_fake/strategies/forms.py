"""Forms a document is handed over in: an lxml element, bytes, or a SOAP 1.1 / 1.2 envelope."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, cast

from hypothesis import strategies as st
from lxml import etree

from ips_fake.soap.schema import (
    UNVERSIONED_NAMESPACE,
)
from ips_fake.strategies.invalid import InvalidDocument
from ips_fake.strategies.schema_model import DEFAULT_ACCOUNT, Account
from ips_fake.strategies.valid import ValidDocument

SOAP11_NAMESPACE = "http://schemas.xmlsoap.org/soap/envelope/"
"""Envelope namespace of SOAP 1.1 (``Content-Type: text/xml``)."""
SOAP12_NAMESPACE = "http://www.w3.org/2003/05/soap-envelope"
"""Envelope namespace of SOAP 1.2 (``Content-Type: application/soap+xml``)."""


# ============================================================================ forms


Form = Literal["element", "bytes", "soap11", "soap12"]
"""How a document is handed over: an lxml element, serialized bytes, or a SOAP envelope."""
ALL_FORMS: tuple[Form, ...] = ("element", "bytes", "soap11", "soap12")


def envelope(
    body: etree._Element,
    *,
    soap: Literal["1.1", "1.2"] = "1.1",
    account: Account | None = DEFAULT_ACCOUNT,
    header_namespace: str | None = None,
) -> bytes:
    """A whole SOAP envelope around ``body`` with an ``authHeader`` for ``account`` (none when
    ``account`` is None), in ``header_namespace`` (default: the body's namespace).

    Example::

        >>> from ips_fake.strategies import build_param
        >>> body = build_param("stopJob", children={"companyHandle": "47", "jobHandle": "x"})
        >>> b"<user>ipsuser@example.com</user>" in envelope(body, soap="1.2")
        True
    """
    soap_namespace = SOAP11_NAMESPACE if soap == "1.1" else SOAP12_NAMESPACE
    root = etree.Element(f"{{{soap_namespace}}}Envelope", nsmap={"soapenv": soap_namespace})
    if account is not None:
        header = etree.SubElement(root, f"{{{soap_namespace}}}Header")
        namespace = header_namespace or etree.QName(body).namespace or UNVERSIONED_NAMESPACE
        auth = etree.SubElement(header, f"{{{namespace}}}authHeader", nsmap={None: namespace})  # type: ignore[dict-item]
        etree.SubElement(auth, f"{{{namespace}}}user").text = account.email
        etree.SubElement(auth, f"{{{namespace}}}password").text = account.password
    etree.SubElement(root, f"{{{soap_namespace}}}Body").append(copy.deepcopy(body))
    return bytes(etree.tostring(root, encoding="UTF-8", xml_declaration=True))


@dataclass(frozen=True, repr=False)
class Rendered:
    """A document in one :data:`Form`: ``content`` is an element for ``"element"``, bytes
    otherwise; ``content_type`` is what to send it with (SOAP forms only)."""

    document: ValidDocument | InvalidDocument
    form: Form
    content: etree._Element | bytes
    content_type: str | None

    def __repr__(self) -> str:
        return f"Rendered({self.form}, {self.document!r})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """Falsifying examples print as the document's XML (Hypothesis's pretty printer)."""
        printer.text(repr(self))


def render(
    document: ValidDocument | InvalidDocument,
    form: Form,
    *,
    account: Account = DEFAULT_ACCOUNT,
    header_namespace: str | None = None,
) -> Rendered:
    """``document`` as an lxml element (a copy), UTF-8 bytes, or a SOAP 1.1 / 1.2 envelope
    with an ``authHeader`` for ``account`` in ``header_namespace`` (default: the namespace
    of the document's API version, which is also the body's unless the document was
    broken as :attr:`InvalidKind.UNKNOWN_BODY_NAMESPACE`).

    Example::

        >>> from ips_fake.soap.schema import API_VERSIONS
        >>> from ips_fake.strategies import build_param
        >>> document = ValidDocument("stopJob", API_VERSIONS[0],
        ...     build_param("stopJob", children={"companyHandle": "47", "jobHandle": "x"}))
        >>> render(document, "soap12").content_type
        'application/soap+xml; charset=UTF-8; action="stopJob"'
    """
    if form == "element":
        return Rendered(document, form, copy.deepcopy(document.element), None)
    if form == "bytes":
        return Rendered(
            document, form, bytes(etree.tostring(document.element, encoding="UTF-8")), None
        )
    soap: Literal["1.1", "1.2"] = "1.1" if form == "soap11" else "1.2"
    content = envelope(
        document.element,
        soap=soap,
        account=account,
        header_namespace=header_namespace or document.version.namespace,
    )
    content_type = (
        "text/xml; charset=UTF-8"
        if soap == "1.1"
        else f'application/soap+xml; charset=UTF-8; action="{document.operation}"'
    )
    return Rendered(document, form, content, content_type)


def in_forms(
    documents: st.SearchStrategy[ValidDocument] | st.SearchStrategy[InvalidDocument],
    forms: Iterable[Form] = ALL_FORMS,
    *,
    account: Account = DEFAULT_ACCOUNT,
) -> st.SearchStrategy[Rendered]:
    """Documents rendered in one of ``forms``; SOAP envelopes carry the ``authHeader`` in the
    unversioned namespace or that of the document's API version (real clients send either;
    for pre-4.0 both are the same).

    Example::

        >>> from hypothesis import given
        >>> from ips_fake.strategies import valid_documents
        >>> @given(in_forms(valid_documents("getJobLogs"), ["soap11", "soap12"]))
        ... def test(rendered):
        ...     assert isinstance(rendered.content, bytes) and rendered.content_type
        >>> test()
    """
    chosen = list(forms)
    documents_any = cast(st.SearchStrategy["ValidDocument | InvalidDocument"], documents)

    @st.composite
    def build(draw: st.DrawFn) -> Rendered:
        document = draw(documents_any)
        form = draw(st.sampled_from(chosen))
        unversioned = draw(st.booleans())
        return render(
            document,
            form,
            account=account,
            header_namespace=UNVERSIONED_NAMESPACE if unversioned else None,
        )

    return build()
