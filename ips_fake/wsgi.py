"""The WSGI app: the SOAP endpoint, the WSDL files, and the admin API.

Routes:

- ``POST /scene7/services/IpsApiService``: SOAP 1.1 and 1.2
- ``GET /scene7/webservice/IpsApi.wsdl`` and ``IpsApi-<version>.wsdl``; ``GET
  /scene7/services/IpsApiService?wsdl`` (the 2014-04-03 WSDL)
- ``/_fake/...``: the admin API (see :mod:`ips_fake.admin`)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

from ips_fake.admin import AdminApi
from ips_fake.core.service import IpsService
from ips_fake.soap.endpoint import SoapEndpoint
from ips_fake.soap.schema import API_VERSIONS, ApiVersion, version_for_wsdl_file, wsdl_document

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

SERVICE_PATH = "/scene7/services/IpsApiService"
WSDL_FOLDER = "/scene7/webservice/"
#: The version served at ``IpsApiService?wsdl``: the one current clients load.
SERVICE_WSDL_VERSION: ApiVersion = next(
    v for v in API_VERSIONS if v.wsdl_file == "IpsApi-2014-04-03.wsdl"
)


class IpsFakeApp:
    """A WSGI application over one :class:`IpsService`."""

    def __init__(self, service: IpsService, *, validate_responses: bool = False) -> None:
        self.service = service
        self.endpoint = SoapEndpoint(service, validate_responses=validate_responses)
        self.admin = AdminApi(service, self.endpoint.journal)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        response = self.respond(request)
        return response(environ, start_response)

    def respond(self, request: Request) -> Response:
        """The response to one request."""
        path = request.path
        if path == SERVICE_PATH:
            if request.method == "GET" and "wsdl" in {key.lower() for key in request.args}:
                return self._wsdl(request, SERVICE_WSDL_VERSION)
            if request.method != "POST":
                return Response(
                    "POST SOAP requests here; GET ?wsdl for the WSDL",
                    status=405,
                    headers={"Allow": "GET, POST"},
                )
            return self._soap(request)
        if path.startswith(WSDL_FOLDER) and request.method == "GET":
            version = version_for_wsdl_file(path[len(WSDL_FOLDER) :])
            if version is not None:
                return self._wsdl(request, version)
        if path.startswith("/_fake/"):
            return self.admin(request)
        return Response(f"not found: {path}", status=404, content_type="text/plain; charset=utf-8")

    def _wsdl(self, request: Request, version: ApiVersion) -> Response:
        address = request.host_url.rstrip("/") + SERVICE_PATH
        return Response(wsdl_document(version, address), content_type="text/xml; charset=UTF-8")

    def _soap(self, request: Request) -> Response:
        answer = self.endpoint.handle(
            request.get_data(cache=False),
            content_type=request.headers.get("Content-Type", ""),
            authorization=request.headers.get("Authorization"),
            accept_encoding=request.headers.get("Accept-Encoding", ""),
            base_url=request.host_url,
            content_encoding=request.headers.get("Content-Encoding", ""),
        )
        return Response(answer.body, status=answer.status, headers=answer.headers)
