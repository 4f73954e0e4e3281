"""The dashboard at ``/_fake/``: one HTML page showing a server's clock, jobs, runs, logs,
outbox and journal, that updates itself while open, with controls that call the admin API.

The page is rendered on the server from Jinja2 templates (``templates/``), with a small
script and stylesheet (``static/``) shipped beside them: no build step, nothing loaded from
elsewhere, and without JavaScript it is a readable snapshot. Every list is trimmed (at most
:data:`LIST_LIMIT` rows a panel, :data:`DETAIL_LIMIT` lines a log, bodies as the journal
keeps them) so the page costs the same with 10 or 10,000 logs held; it never reads
``/_fake/state``. Routes (docs/dashboard.md):

- ``GET /_fake/``: the page; ``?company=ID&job=TEXT`` filter every panel.
- ``GET /_fake/dashboard/panels``: the panels alone (what the script polls), same filters.
- ``GET /_fake/dashboard/logs/<run id>``: one job log's detail lines.
- ``GET /_fake/dashboard/journal/<sequence>``: one exchange, request and answer XML
  pretty-printed, passwords masked as in the admin API's journal.
- ``GET /_fake/dashboard/static/<file>``: the script and the stylesheet.
- ``POST /_fake/dashboard/token``: the page's token form (``token``, and the filters to
  keep), form-encoded, at most :data:`TOKEN_FORM_BYTES` bytes: the token travels in the body,
  never in an address.

Protections are the admin API's (:class:`ips_fake.admin.AdminApi`): the same Host check and
token. With a token set, ``/_fake/?token=TOKEN`` (the address ``ips-fake serve`` prints)
stores it in a same-site, script-proof cookie scoped to ``/_fake/`` and redirects to the page
without it; without it the page asks for it once, with a form that POSTs it (same Host and
Origin checks as an admin write). Pages forbid framing and any script, style
or connection from elsewhere (Content-Security-Policy).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any
from urllib.parse import urlencode

from lxml import etree
from werkzeug.exceptions import (
    Forbidden,
    HTTPException,
    LengthRequired,
    NotFound,
    RequestEntityTooLarge,
    Unauthorized,
    UnsupportedMediaType,
)
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from ips_fake.admin import (
    OUTCOME_NAMES,
    PAYLOAD_ELEMENT_OF_KIND,
    TOKEN_COOKIE,
    AdminApi,
    clock_mode,
    readable_request,
)
from ips_fake.admin.bodies import stated_content_length
from ips_fake.core.clock import MovableClock
from ips_fake.core.handles import HandleStyle, company_id_of, job_handle, run_handle
from ips_fake.core.model import OptionTree
from ips_fake.core.service import IpsService
from ips_fake.soap.codec import PAYLOAD_ELEMENTS
from ips_fake.soap.endpoint import Exchange, Journal

#: The page's own address.
PAGE_PATH = "/_fake/"
#: Where the panels, details and static files live.
ROUTE_PREFIX = "/_fake/dashboard/"
#: Most rows a panel shows (the newest); the panel says how many match.
LIST_LIMIT = 50
#: Largest body the token form may POST, in bytes (a token and two filters).
TOKEN_FORM_BYTES = 4096
#: Most detail lines shown for one job log.
DETAIL_LIMIT = 500
#: Most lines shown of one job's payload options (a long URL list is cut there).
PAYLOAD_LINES = 30
#: Most companies offered by the company filter.
COMPANY_CHOICES = 500
#: Longest filter text taken, in characters.
FILTER_LIMIT = 200
#: How often the script asks for fresh panels, in milliseconds.
POLL_MILLISECONDS = 1000
#: The clock steps the page offers: (label, seconds).
CLOCK_STEPS = (
    ("1 second", 1),
    ("10 seconds", 10),
    ("1 minute", 60),
    ("10 minutes", 600),
    ("1 hour", 3600),
    ("1 day", 86400),
)
STATIC_FILES = {
    "dashboard.js": "text/javascript; charset=utf-8",
    "dashboard.css": "text/css; charset=utf-8",
}
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
_PRETTY_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    huge_tree=False,
    remove_blank_text=True,
)


@dataclass(frozen=True)
class Filters:
    """The page's filters: a company id (digits) and text a job's name contains."""

    company: str | None = None
    job: str | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Filters:
        """Filters from ``?company=&job=``; a company that is not a company id is ignored."""
        company = company_id_of(args.get("company", "")[:FILTER_LIMIT])
        job = args.get("job", "").strip()[:FILTER_LIMIT] or None
        return cls(company, job)

    def query(self, **changes: str | None) -> str:
        """The query string of these filters with ``changes`` (None drops a filter)."""
        values = {"company": self.company, "job": self.job, **changes}
        pairs = [(key, value) for key, value in values.items() if value]
        return "?" + urlencode(pairs) if pairs else "?"

    def exchanges(
        self, journal: Journal, subjects: JournalSubjects, limit: int
    ) -> tuple[list[Exchange], int]:
        """The newest ``limit`` journal entries about the filtered company and job (see
        :class:`JournalSubjects`), newest first; and how many match. Only the entries shown
        are unpacked (the journal keeps them packed)."""
        if self.company is None and self.job is None:
            return journal.newest(limit), len(journal.sequences())
        company = self.company
        wanted = self.job.casefold() if self.job is not None else None
        matching = [
            sequence
            for sequence, about, names in subjects.of(journal)
            if (company is None or about == company) and (wanted is None or wanted in names)
        ]
        shown = [journal.get(sequence) for sequence in matching[: -limit - 1 : -1]]
        return [exchange for exchange in shown if exchange is not None], len(matching)


class JournalSubjects:
    """What each journal entry is about: the company id of its ``companyHandle`` and the job
    names and handles its call names (submitJob's ``jobName``, ``jobHandle``,
    ``originalName``), case-folded. Worked out once per entry (entries never change; each is
    unpacked once for it) and kept, by sequence number within the journal's generation, for
    the entries the journal still holds, so a filtered poll over 10,000 entries is a lookup
    each."""

    def __init__(self) -> None:
        self._generation = -1
        self._known: dict[int, tuple[str | None, str]] = {}

    def of(self, journal: Journal) -> list[tuple[int, str | None, str]]:
        """(sequence number, company id or None, its names case-folded and joined by
        newlines) for each of ``journal``'s kept entries, oldest first."""
        if journal.generation != self._generation:  # cleared: numbering restarted
            self._generation = journal.generation
            self._known = {}
        known = self._known
        rows: list[tuple[int, str | None, str]] = []
        fresh: dict[int, tuple[str | None, str]] = {}
        for sequence in journal.sequences():
            subject = known.get(sequence)
            if subject is None:
                exchange = journal.get(sequence)
                if exchange is None:  # dropped meanwhile
                    continue
                subject = _subject(exchange)
            fresh[sequence] = subject
            rows.append((sequence, *subject))
        self._known = fresh  # forgets the entries the journal dropped
        return rows


def _subject(exchange: Exchange) -> tuple[str | None, str]:
    params = exchange.params
    request = params.get("request")
    if request is not None:  # submitJob's decoded SubmitJobRequest
        handle = getattr(request, "company_handle", None)
        names: tuple[object, ...] = (getattr(request, "job_name", None),)
    else:
        handle = params.get("companyHandle")
        names = (params.get("jobName"), params.get("jobHandle"), params.get("originalName"))
    company = company_id_of(handle) if isinstance(handle, str) else None
    return company, "\n".join(name.casefold() for name in names if isinstance(name, str))


def pretty_xml(body: bytes) -> str:
    """An XML body indented for reading; one that does not parse (a cut body, not XML, a
    DOCTYPE) as it is."""
    text = body.decode("utf-8", errors="replace")
    if b"<!" in body[:4096].replace(b"<!--", b""):
        return text
    try:
        root = etree.fromstring(body, _PRETTY_PARSER)
    except etree.XMLSyntaxError:
        return text
    return etree.tostring(root, encoding="unicode", pretty_print=True)


def payload_lines(options: OptionTree, limit: int = PAYLOAD_LINES) -> list[tuple[int, str, str]]:
    """A payload's options as the page lists them: (depth, name, text) in document order,
    nested options one level deeper; at most ``limit`` lines, the last one then saying how
    many were left out."""
    lines: list[tuple[int, str, str]] = []
    total = 0
    pending: list[tuple[int, str, str | OptionTree]] = [
        (0, name, value) for name, value in reversed(options)
    ]
    while pending:
        depth, name, value = pending.pop()
        total += 1
        if len(lines) < limit:
            lines.append((depth, name, value if isinstance(value, str) else ""))
        if not isinstance(value, str):
            pending.extend((depth + 1, child, item) for child, item in reversed(value))
    if total > limit:
        lines[-1] = (0, "…", f"{total - limit + 1} more option(s) not shown")
    return lines


def dom_id(prefix: str, *parts: object) -> str:
    """A stable HTML id for something named by ``parts`` (a job's company and name may hold
    spaces and any character an id cannot), so the script keeps it open across updates."""
    digest = hashlib.blake2s("\x00".join(map(str, parts)).encode(), digest_size=8).hexdigest()
    return f"{prefix}-{digest}"


def _kind_name(kind: Any) -> str:
    return PAYLOAD_ELEMENT_OF_KIND.get(kind, getattr(kind, "value", str(kind)))


class Dashboard:
    """The dashboard's routes over the admin API's service, journal and protections."""

    def __init__(self, service: IpsService, journal: Journal, admin: AdminApi) -> None:
        self.service = service
        self.journal = journal
        self.admin = admin
        self.subjects = JournalSubjects()
        import jinja2  # here: importing ips_fake.wsgi (every fake) does not load the templates

        self.templates = jinja2.Environment(
            loader=jinja2.PackageLoader("ips_fake.dashboard", "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.templates.filters["kind_name"] = _kind_name
        self.templates.filters["when"] = _when
        self.templates.filters["payload_lines"] = payload_lines
        self.templates.globals["dom_id"] = dom_id
        self.routes = Map(
            [
                Rule(PAGE_PATH, methods=["GET"], endpoint="page"),
                Rule(ROUTE_PREFIX + "panels", methods=["GET"], endpoint="panels"),
                Rule(ROUTE_PREFIX + "logs/<int:run_id>", methods=["GET"], endpoint="log"),
                Rule(ROUTE_PREFIX + "journal/<int:sequence>", methods=["GET"], endpoint="exchange"),
                Rule(ROUTE_PREFIX + "static/<name>", methods=["GET"], endpoint="static"),
                Rule(ROUTE_PREFIX + "token", methods=["POST"], endpoint="token"),
            ]
        )

    @staticmethod
    def serves(path: str) -> bool:
        """Whether ``path`` is the dashboard's (the rest of ``/_fake/`` is the admin API's)."""
        return path == PAGE_PATH or path.startswith(ROUTE_PREFIX)

    def __call__(self, request: Request) -> Response:
        try:
            adapter = self.routes.bind_to_environ(request.environ)
            endpoint, values = adapter.match()
            if endpoint == "page" and "token" in request.args:
                return self._take_token(request, request.args)
            if endpoint == "token":
                return self._take_posted_token(request)
            if endpoint == "static":
                self.admin.check_host(request)
            else:
                self.admin.guard(request)
            response: Response = getattr(self, str(endpoint))(request, **values)
        except Unauthorized:
            response = self._ask_token(request, wrong=False)
        except HTTPException as error:
            response = self._html(
                "error.html",
                {"code": error.code, "reason": error.description or error.name},
                status=error.code or 400,
            )
            allowed = getattr(error, "valid_methods", None)
            if allowed:
                response.headers["Allow"] = ", ".join(allowed)
        except Exception as error:  # a bug in the fake: say so without a traceback
            response = self._html(
                "error.html",
                {"code": 500, "reason": f"internal error in the dashboard: {type(error).__name__}"},
                status=500,
            )
        response.headers.update(SECURITY_HEADERS)
        return response

    # -- token ---------------------------------------------------------------------------------

    def _take_posted_token(self, request: Request) -> Response:
        """``POST /_fake/dashboard/token`` (the page's form): as :meth:`_take_token`, after
        the Host and Origin checks of an admin write (403); 415 for a body that is not a form,
        411 without a Content-Length, 400 for one that is not a plain number of bytes, 413
        past :data:`TOKEN_FORM_BYTES`."""
        self.admin.check_host(request)
        # the page's own form comes with Origin "null" (its Referrer-Policy is no-referrer);
        # a page naming another origin is refused. A form only stores the server's own token,
        # which the sender must already know.
        origin = request.headers.get("Origin")
        own = f"{request.scheme}://{request.host}".lower()
        if origin is not None and origin.strip().lower().rstrip("/") not in (own, "null"):
            raise Forbidden(
                f"a token form from elsewhere is refused: Origin {origin!r} is not {own!r}"
            )
        if request.mimetype != "application/x-www-form-urlencoded":
            raise UnsupportedMediaType(
                "the token form is sent as application/x-www-form-urlencoded"
            )
        length = stated_content_length(request)
        if length is None:
            raise LengthRequired("the token form is sent with a Content-Length")
        if length > TOKEN_FORM_BYTES:
            raise RequestEntityTooLarge(f"the token form is at most {TOKEN_FORM_BYTES} bytes")
        request.max_content_length = TOKEN_FORM_BYTES
        return self._take_token(request, request.form)

    def _take_token(self, request: Request, fields: Mapping[str, str]) -> Response:
        """``/_fake/?token=TOKEN`` or the posted form's ``fields``: keep a right token in the
        cookie and go to the page without it; a wrong one gets the form again."""
        self.admin.check_host(request)
        presented = fields.get("token", "")
        expected = self.admin.token
        if expected is not None and not hmac.compare_digest(presented.encode(), expected.encode()):
            return self._ask_token(request, wrong=True, fields=fields)
        filters = Filters.from_args(fields)
        response = Response(status=303, headers={"Location": PAGE_PATH + filters.query()})
        if expected is not None:
            response.set_cookie(
                TOKEN_COOKIE,
                expected,
                path="/_fake/",
                httponly=True,
                samesite="Strict",
                secure=request.scheme == "https",
            )
        return response

    def _ask_token(
        self, request: Request, *, wrong: bool, fields: Mapping[str, str] | None = None
    ) -> Response:
        filters = Filters.from_args(request.args if fields is None else fields)
        return self._html("token.html", {"wrong": wrong, "filters": filters}, status=401)

    # -- rendering -----------------------------------------------------------------------------

    def _html(self, template: str, context: dict[str, Any], status: int = 200) -> Response:
        body = self.templates.get_template(template).render(**context)
        return Response(body, status=status, content_type="text/html; charset=utf-8")

    def _panels(self, filters: Filters) -> dict[str, Any]:
        """Everything the panels show, trimmed to :data:`LIST_LIMIT` rows each."""
        service = self.service
        options = {"company_id": filters.company, "name": filters.job}
        jobs, job_count = service.recent_scheduled_jobs(LIST_LIMIT, **options)
        runs, run_count = service.recent_active_jobs(LIST_LIMIT, **options)
        logs, log_count = service.recent_job_logs(LIST_LIMIT, **options)
        mails, mail_count = service.recent_notifications(LIST_LIMIT, **options)
        exchanges, exchange_count = filters.exchanges(self.journal, self.subjects, LIST_LIMIT)
        clock = service.clock
        with service.lock:
            rules = list(service.outcomes.rules)
        return {
            "filters": filters,
            "now": service.sync(),
            "mode": clock_mode(clock),
            "movable": isinstance(clock, MovableClock),
            "time_zone": service.settings.time_zone,
            "jobs": [
                (job, job_handle(job.company_id, job.name, HandleStyle.MODERN)) for job in jobs
            ],
            "job_count": job_count,
            "runs": [
                (run, run_handle(run.company_id, run.name, run.run_id, HandleStyle.MODERN))
                for run in runs
            ],
            "run_count": run_count,
            "logs": logs,
            "log_count": log_count,
            "mails": mails,
            "mail_count": mail_count,
            "exchanges": exchanges,
            "exchange_count": exchange_count,
            "rules": rules,
            "limit": LIST_LIMIT,
        }

    # -- routes --------------------------------------------------------------------------------

    def page(self, request: Request) -> Response:
        """GET /_fake/: the whole page."""
        filters = Filters.from_args(request.args)
        with self.service.lock:
            companies = list(self.service.directory.companies.values())[:COMPANY_CHOICES]
        context = {
            **self._panels(filters),
            "companies": companies,
            "steps": CLOCK_STEPS,
            "outcomes": OUTCOME_NAMES,
            "kinds": sorted(PAYLOAD_ELEMENTS),
            "poll": POLL_MILLISECONDS,
            "panels_url": ROUTE_PREFIX + "panels" + filters.query(),
        }
        return self._html("page.html", context)

    def panels(self, request: Request) -> Response:
        """GET /_fake/dashboard/panels: the panels alone, for the script to swap in."""
        return self._html("panels.html", self._panels(Filters.from_args(request.args)))

    def log(self, request: Request, run_id: int) -> Response:
        """GET /_fake/dashboard/logs/<run id>: a job log's detail lines (at most
        :data:`DETAIL_LIMIT`)."""
        log = self.service.job_log(run_id)
        if log is None:
            raise NotFound(f"no job log with run id {run_id} (never finished, or dropped)")
        context = {
            "log": log,
            "details": log.details[:DETAIL_LIMIT],
            "detail_count": len(log.details),
        }
        return self._html("log_part.html" if "part" in request.args else "log.html", context)

    def exchange(self, request: Request, sequence: int) -> Response:
        """GET /_fake/dashboard/journal/<sequence>: one exchange with its XML."""
        found = self.journal.get(sequence)
        if found is None:
            raise NotFound(f"no journal entry #{sequence} (dropped, or the journal was reset)")
        context = {
            "exchange": found,
            "request_xml": pretty_xml(readable_request(found.request)),
            "response_xml": pretty_xml(found.response),
        }
        template = "exchange_part.html" if "part" in request.args else "exchange.html"
        return self._html(template, context)

    def static(self, request: Request, name: str) -> Response:
        """GET /_fake/dashboard/static/<name>: the script or the stylesheet."""
        content_type = STATIC_FILES.get(name)
        if content_type is None:
            raise NotFound(f"no static file {name!r}")
        data = resources.files("ips_fake.dashboard").joinpath("static", name).read_bytes()
        return Response(data, content_type=content_type)


def _when(value: Any) -> str:
    """A date-time as the page shows it (to the millisecond, with its offset)."""
    if value is None:
        return "—"
    text: str = value.isoformat(sep=" ", timespec="milliseconds")
    return text
