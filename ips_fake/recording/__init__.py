"""Record SOAP exchanges as a cassette, replay a cassette against any endpoint, and diff.

A :class:`Cassette` is a list of :class:`Interaction` s: the HTTP request a client sent, the
response it got, and (when known) the fake's clock at that moment. Record one with a
:class:`RecordingAdapter` mounted on the ``requests`` session a zeep client uses: against
``ips-fake serve``, an in-process fake, or a real IPS endpoint. Replay it with
:func:`replay_in_process` (a fresh :class:`~ips_fake.fake.IpsFake`, its clock moved to each
recorded time) or :func:`replay_over_http` (any URL; an ips-fake's clock is moved through its
admin API), and read the :class:`ReplayReport`: one canonical-XML diff per response that
differs.

Example::

    import requests, zeep
    from ips_fake import IpsFake
    from ips_fake.recording import Cassette, record_session, replay_in_process
    from ips_fake.transport import INPROCESS_BASE_URL, in_process_session

    fake = IpsFake()
    session = in_process_session(fake.app)
    cassette = record_session(session, now=fake.clock.now)
    client = zeep.Client(INPROCESS_BASE_URL + "/scene7/webservice/IpsApi-2014-04-03.wsdl",
                         transport=zeep.Transport(session=session))
    ...                                  # the code under test talks to the fake
    cassette.save("fixtures/cassettes/nightly.json")

    report = replay_in_process(Cassette.load("fixtures/cassettes/nightly.json"))
    assert report.ok, report.summary()

Comparison is canonical (C14N after dropping whitespace-only text), never of raw bytes; text
of elements named in ``ignore`` (for example ``jobHandle`` or ``startDate`` when replaying
against a real server) is blanked on both sides first. Only SOAP exchanges are compared; WSDL
fetches and admin calls are kept in the cassette but replayed only for their side effects.
:mod:`ips_fake.verify` compares with value mapping instead (handles, run names and dates of
the recording mapped to the replay's).

Secrets never reach a cassette: every stored request goes through the cassette's
:class:`~ips_fake.scrubbing.Scrubber` (passwords, tokens, Basic credentials become
``***secret-N***``), and compressed bodies are stored decompressed (their
``Content-Encoding`` dropped), so the file can be searched and committed.

Format ``ips-fake-cassette/2`` adds ``metadata`` (when, against what scheme and host, the API
versions the requests used, the ips-fake version); files in format 1 are still read.

The package, by concern: :mod:`~ips_fake.recording.exchanges` (a request, its response, their
JSON form), :mod:`~ips_fake.recording.cassette` (the cassette and its file),
:mod:`~ips_fake.recording.inspection` (a request's operation and API version),
:mod:`~ips_fake.recording.recorder` (the ``requests`` adapter), :mod:`~ips_fake.recording.comparing`
(canonical XML and diffs), :mod:`~ips_fake.recording.placeholders` (what a replay sends for a
scrubbed secret), :mod:`~ips_fake.recording.senders` (in process or over HTTP, with a clock
mover) and :mod:`~ips_fake.recording.replaying` (the replay loop and its report).
"""

from __future__ import annotations

from ips_fake.recording.cassette import (
    CASSETTE_FORMAT,
    MAX_CASSETTE_BYTES,
    READABLE_FORMATS,
    Cassette,
    CassetteMetadata,
)
from ips_fake.recording.comparing import canonical_xml, compare_responses
from ips_fake.recording.exchanges import (
    MAX_BODY_BYTES,
    CassetteError,
    Interaction,
    RecordedRequest,
    RecordedResponse,
    decode_content,
)
from ips_fake.recording.inspection import operation_name, request_version
from ips_fake.recording.placeholders import DEFAULT_REPLAY_PASSWORD, live_request, replay_secrets
from ips_fake.recording.recorder import (
    RECORDED_HEADERS,
    RecordingAdapter,
    record_session,
    stored_request,
)
from ips_fake.recording.replaying import (
    ReplayReport,
    StepResult,
    replay,
    replay_in_process,
    replay_over_http,
)
from ips_fake.recording.replaying import replay_steps as replay_steps
from ips_fake.recording.senders import ClockMover as ClockMover
from ips_fake.recording.senders import Sender as Sender
from ips_fake.recording.senders import (
    control_clock_mover,
    http_clock_mover,
    http_sender,
    in_process_sender,
)

__all__ = [
    "CASSETTE_FORMAT",
    "DEFAULT_REPLAY_PASSWORD",
    "MAX_BODY_BYTES",
    "MAX_CASSETTE_BYTES",
    "READABLE_FORMATS",
    "RECORDED_HEADERS",
    "Cassette",
    "CassetteError",
    "CassetteMetadata",
    "Interaction",
    "RecordedRequest",
    "RecordedResponse",
    "RecordingAdapter",
    "ReplayReport",
    "StepResult",
    "canonical_xml",
    "compare_responses",
    "control_clock_mover",
    "decode_content",
    "http_clock_mover",
    "http_sender",
    "in_process_sender",
    "live_request",
    "operation_name",
    "record_session",
    "replay",
    "replay_in_process",
    "replay_over_http",
    "replay_secrets",
    "request_version",
    "stored_request",
]
