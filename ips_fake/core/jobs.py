"""Scheduled jobs: what submitJob creates (IPS's trigger), and the priority queue of fires."""

from __future__ import annotations

import functools
import heapq
import marshal
import weakref
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ips_fake.core.compaction import RareField
from ips_fake.core.cron import QuartzSchedule
from ips_fake.core.model import (
    PAYLOAD_ELEMENTS,
    EmailSetting,
    JobKind,
    JobPayload,
    TriggerState,
    WorkItem,
)
from ips_fake.core.runs import Run

#: A 1 KiB window: room for :data:`_PACK_VOCABULARY` and a payload of a few hundred bytes.
_PACK_WINDOW_BITS = 10

#: zlib's preset dictionary for packed payloads: the names and values most payloads repeat
#: (payload elements, job types, option names of spec payload-options.md, common values).
#: A payload then packs to about 60 % of its size without it (an uploadUrlsJob of three
#: URLs: 133 bytes instead of 218). Packing happens in process only, so the dictionary may
#: change between versions.
_PACK_VOCABULARY = marshal.dumps(
    (
        *(kind.value for kind in JobKind),
        "colorManagementOptions",
        "knockoutBackgroundOptions",
        "manualCropOptions",
        "autoColorCropOptions",
        "autoTransparentCropOptions",
        "photoshopOptions",
        "postScriptOptions",
        "pdfOptions",
        "illustratorOptions",
        "preservePublishState",
        "preserveCrop",
        "projectHandleArray",
        "includeSubfolders",
        "processMetadataFiles",
        "destFolder",
        "serverDir",
        "assetHandleArray",
        "items",
        "publishType",
        "Full",
        "Incremental",
        "FullWithSearch",
        "All",
        "Error",
        "JobCompletion",
        "emailSetting",
        "None",
        "createMask",
        "readyForPublish",
        "overwrite",
        "true",
        "false",
        "urlArray",
        "sourceUrl",
        "destPath",
        "https://",
        "http://",
        ".jpg",
        ".png",
        ".tif",
        ".pdf",
        *PAYLOAD_ELEMENTS,
    )
)


def _payload_fields(payload: JobPayload) -> tuple[Any, ...]:
    """``payload`` as a tree of tuples, strings and None (what :mod:`marshal` writes)."""
    email = payload.email_setting.value if payload.email_setting is not None else None
    items = tuple((item.name, item.asset_handle) for item in payload.items)
    return (
        payload.kind.value,
        payload.element,
        payload.options,
        email,
        payload.publish_type,
        items,
        payload.server_dir,
    )


def learned_vocabulary(payload: JobPayload) -> bytes:
    """A vocabulary for packing payloads like ``payload``: :data:`_PACK_VOCABULARY` followed
    by ``payload`` itself, cut to the packing window (the part zlib can use). Payloads of one
    client differ in a few names and URLs: packed with the vocabulary of an earlier one,
    an uploadUrlsJob of three URLs takes about 40 bytes instead of 120."""
    learned = _PACK_VOCABULARY + marshal.dumps(_payload_fields(payload))
    return learned[-(1 << _PACK_WINDOW_BITS) :]


def pack_payload(payload: JobPayload, vocabulary: bytes = _PACK_VOCABULARY) -> bytes:
    """``payload`` as a few hundred bytes (its decoded tree of tuples and strings takes
    several KiB); :func:`unpack_payload` with the same ``vocabulary`` (zlib's preset
    dictionary: :data:`_PACK_VOCABULARY` or a :func:`learned_vocabulary`) gives it back
    equal."""
    packer = _primed_packer(vocabulary).copy()
    return packer.compress(marshal.dumps(_payload_fields(payload))) + packer.flush()


@functools.lru_cache(maxsize=64)
def _primed_packer(vocabulary: bytes) -> zlib._Compress:
    """A deflater primed with ``vocabulary``, copied for each payload (the same bytes as a new
    one given it, without reading it again). The least memory: zlib's default state is costly
    to set up for a few hundred bytes, and gains nothing on them. Kept for the vocabularies
    in use: one per job kind (:class:`JobProfiles`) and the default one."""
    return zlib.compressobj(6, zlib.DEFLATED, -_PACK_WINDOW_BITS, 1, zdict=vocabulary)


def unpack_payload(packed: bytes, vocabulary: bytes = _PACK_VOCABULARY) -> JobPayload:
    """The payload :func:`pack_payload` packed with ``vocabulary`` (a new, equal object on
    each call)."""
    unpacker = zlib.decompressobj(-_PACK_WINDOW_BITS, zdict=vocabulary)
    kind, element, options, email, publish_type, items, server_dir = marshal.loads(
        unpacker.decompress(packed) + unpacker.flush()
    )
    return JobPayload(
        kind=JobKind(kind),
        element=element,
        options=options,
        email_setting=EmailSetting(email) if email is not None else None,
        publish_type=publish_type,
        items=tuple(WorkItem(name, handle) for name, handle in items),
        server_dir=server_dir,
    )


@dataclass(frozen=True, slots=True, weakref_slot=True)
class JobProfile:
    """What submitJob said of a job besides its name, payload and schedule: the same for
    most jobs of a client, so one object is shared by all the jobs that have it
    (:class:`JobProfiles` hands them out)."""

    kind: JobKind
    email_setting: EmailSetting
    submitter_email: str
    notify_email: str
    locale: str | None
    description: str | None
    time_zone: str
    #: What the payloads of jobs with this profile are packed with: the
    #: :func:`learned_vocabulary` of the first payload of its kind the service saw (one
    #: object per kind, shared).
    vocabulary: bytes = field(default=_PACK_VOCABULARY, compare=False, repr=False)


class JobProfiles:
    """Hands out one :class:`JobProfile` per distinct set of fields while a job has it (held
    weakly: a profile goes with the last job that has it, so unique descriptions do not pile
    up), and keeps a packing vocabulary per job kind (at most 1 KiB each)."""

    def __init__(self) -> None:
        self._known: weakref.WeakValueDictionary[tuple[object, ...], JobProfile] = (
            weakref.WeakValueDictionary()
        )
        self._vocabularies: dict[JobKind, bytes] = {}

    def profile(
        self,
        payload: JobPayload,
        *,
        submitter_email: str,
        notify_email: str,
        locale: str | None,
        description: str | None,
        time_zone: str,
    ) -> JobProfile:
        """The shared profile of a job of ``payload`` with these fields."""
        email_setting = payload.email_setting or EmailSetting.NONE
        fields = (
            payload.kind,
            email_setting,
            submitter_email,
            notify_email,
            locale,
            description,
            time_zone,
        )
        known = self._known.get(fields)
        if known is None:
            known = JobProfile(
                payload.kind,
                email_setting,
                submitter_email,
                notify_email,
                locale,
                description,
                time_zone,
                self._vocabulary(payload),
            )
            self._known[fields] = known
        return known

    def _vocabulary(self, payload: JobPayload) -> bytes:
        """The packing vocabulary of ``payload``'s kind: learned from the first payload of
        that kind, and kept (a payload packed with it is unpacked with it)."""
        vocabulary = self._vocabularies.get(payload.kind)
        if vocabulary is None:
            vocabulary = self._vocabularies[payload.kind] = learned_vocabulary(payload)
        return vocabulary


class ScheduledJob:
    """A submitted job: fires once (now or at its execTime) or on a Quartz schedule.

    A finished one-off job stays known by its handle (behaviour.md section 1), so every job
    ever submitted is kept: it is small. Its payload is kept packed (:attr:`payload` unpacks
    it), what submitJob said besides is a shared :class:`JobProfile`, and the fields that
    keep their default for most jobs live in a dict made when one of them is set."""

    __slots__ = (
        "__weakref__",
        "_rare",
        "_unfinished",
        "key",
        "next_fire",
        "packed_payload",
        "profile",
        "schedule",
        "serial",
        "trigger_state",
    )

    #: Whether a one-off fire came while the job was paused (it happens on resume).
    missed_while_paused = RareField(False)
    version = RareField(0)
    deleted = RareField(False)
    #: Recurring fires skipped because a run of this job was still unfinished.
    skipped_fires = RareField(0)
    #: While set, the job's timeline entry was moved past fires that come during its run:
    #: those after this instant and before the entry are skipped, counted as time passes.
    skipping_since: RareField[datetime | None] = RareField(None)

    def __init__(
        self,
        serial: int,
        key: tuple[str, str],
        packed_payload: bytes,
        profile: JobProfile,
        schedule: QuartzSchedule | None,
    ) -> None:
        self.serial = serial
        #: ``(company id, job name)``: the job's key in the service's indexes (one tuple
        #: shared by all of them); :attr:`company_id` and :attr:`name` read it.
        self.key = key
        self.packed_payload = packed_payload
        self.profile = profile
        self.schedule = schedule
        self.trigger_state = TriggerState.NORMAL
        self.next_fire: datetime | None = None
        # its unfinished runs (see runs): the run itself while it is the only one
        self._unfinished: Run | tuple[Run, ...] = ()
        self._rare: dict[str, object] | None = None

    @classmethod
    def of(
        cls,
        serial: int,
        company_id: str,
        name: str,
        payload: JobPayload,
        profile: JobProfile,
        schedule: QuartzSchedule | None = None,
    ) -> ScheduledJob:
        """A job for ``payload`` (packed), with ``profile`` (its kind and e-mail setting
        ``payload``'s)."""
        packed = pack_payload(payload, profile.vocabulary)
        return cls(serial, (company_id, name), packed, profile, schedule)

    def __repr__(self) -> str:
        return f"ScheduledJob({self.serial}, {self.key!r}, {self.trigger_state.value})"

    @property
    def company_id(self) -> str:
        """The company the job belongs to."""
        return self.key[0]

    @property
    def name(self) -> str:
        """The job's name (``jobName``, the runs' ``originalName``)."""
        return self.key[1]

    @property
    def kind(self) -> JobKind:
        """The payload's kind."""
        return self.profile.kind

    @property
    def email_setting(self) -> EmailSetting:
        """The payload's e-mail setting (``None`` when it has none)."""
        return self.profile.email_setting

    @property
    def submitter_email(self) -> str:
        """The e-mail of the user who submitted the job."""
        return self.profile.submitter_email

    @property
    def notify_email(self) -> str:
        """Whom the job's mails go to."""
        return self.profile.notify_email

    @property
    def locale(self) -> str | None:
        """submitJob's locale."""
        return self.profile.locale

    @property
    def description(self) -> str | None:
        """submitJob's description."""
        return self.profile.description

    @property
    def time_zone(self) -> str:
        """The server's time zone when the job was submitted."""
        return self.profile.time_zone

    @property
    def runs(self) -> tuple[Run, ...]:
        """Its unfinished runs, oldest first. Most jobs have none or one: the job holds ()
        (shared) or the one run, so a burst of runs in progress costs no tuple each."""
        unfinished = self._unfinished
        return unfinished if isinstance(unfinished, tuple) else (unfinished,)

    @runs.setter
    def runs(self, runs: tuple[Run, ...]) -> None:
        self._unfinished = runs[0] if len(runs) == 1 else runs

    @property
    def payload(self) -> JobPayload:
        """The payload as submitted (unpacked anew on each call)."""
        return unpack_payload(self.packed_payload, self.profile.vocabulary)

    @property
    def is_listed(self) -> bool:
        """Whether getScheduledJobs lists it (it can still fire)."""
        return not self.deleted and self.trigger_state is not TriggerState.COMPLETE


#: An entry of the timeline's heap: ``[at, sequence, kind, target]``; a forgotten entry's
#: target is None. Lists compare by ``at``, then by the unique ``sequence``.
_Entry = list[object]


class Timeline:
    """Pending fires and run ends in time order, at most one per target.

    A job has at most one pending fire and a run at most one pending end, so pushing for a
    target replaces its entry and :meth:`discard` forgets it: a deleted job, a paused or
    finished run leaves nothing behind. Forgotten entries are emptied at once (their target
    is released) and swept from the heap when they outnumber the live ones, so the heap
    never holds more than twice the live entries plus a small constant.
    """

    #: Forgotten entries tolerated in the heap before a sweep, whatever the live count.
    SWEEP_FLOOR = 64

    #: Live entries below which a dict that once held many more is copied (a dict never
    #: gives back the room of deleted keys).
    SHRINK_FLOOR = 1024

    def __init__(self) -> None:
        self._heap: list[_Entry] = []
        # each target's entry, keyed by the target itself (jobs and runs hash by identity: no
        # int object per entry, as id() keys would make)
        self._live: dict[ScheduledJob | Run, _Entry] = {}
        self._live_peak = 0
        self._sequence = 0
        #: the last few distinct instants pushed, each given again to a push at the same
        #: instant (a burst of jobs firing now and their runs ending together shares two)
        self._recent_instants: list[datetime] = []

    def _forgot_one(self) -> None:
        """After a live entry went: give back the room of a dict that has shrunk to an
        eighth of its peak (amortized O(1): a copy follows at least 7/8 of the peak's
        removals)."""
        live = len(self._live)
        if self._live_peak > self.SHRINK_FLOOR and live * 8 < self._live_peak:
            self._live = dict(self._live)
            self._live_peak = live

    def push(self, at: datetime, kind: str, target: ScheduledJob | Run) -> None:
        """Schedule ``kind`` ('fire' or 'finish') for ``target`` at ``at``, replacing the
        target's pending entry if it has one."""
        self.discard(target)
        self._sequence += 1
        at = self._shared_instant(at)
        entry: _Entry = [at, self._sequence, kind, target]
        self._live[target] = entry
        self._live_peak = max(self._live_peak, len(self._live))
        heapq.heappush(self._heap, entry)

    #: Distinct instants :meth:`_shared_instant` remembers.
    RECENT_INSTANTS = 4

    def _shared_instant(self, at: datetime) -> datetime:
        """``at``, or an equal instant pushed recently (same zone and fold): entries pushed
        in a burst share their datetime rather than holding one each."""
        recent = self._recent_instants
        for known in recent:
            if at == known and at.tzinfo is known.tzinfo and at.fold == known.fold:
                return known
        recent.insert(0, at)
        del recent[self.RECENT_INSTANTS :]
        return at

    def discard(self, target: ScheduledJob | Run) -> None:
        """Forget ``target``'s pending entry, if any."""
        entry = self._live.pop(target, None)
        if entry is None:
            return
        entry[3] = None
        self._forgot_one()
        if len(self._heap) - len(self._live) > max(len(self._live), self.SWEEP_FLOOR):
            self._heap = [each for each in self._heap if each[3] is not None]
            heapq.heapify(self._heap)

    def due_of(self, target: ScheduledJob | Run) -> datetime | None:
        """When ``target``'s pending entry is due, or None when it has none."""
        entry = self._live.get(target)
        return None if entry is None else entry[0]  # type: ignore[return-value]

    def next_due(self) -> datetime | None:
        """The time of the earliest pending entry, or None."""
        heap = self._heap
        while heap and heap[0][3] is None:
            heapq.heappop(heap)
        return heap[0][0] if heap else None  # type: ignore[return-value]

    def pop_due(self, until: datetime) -> tuple[datetime, str, ScheduledJob | Run] | None:
        """The earliest entry due at or before ``until``, removed; None when there is none."""
        heap = self._heap
        while heap and heap[0][0] <= until:  # type: ignore[operator]
            at, _, kind, target = heapq.heappop(heap)
            if target is None:
                continue
            assert isinstance(target, ScheduledJob | Run)
            del self._live[target]
            self._forgot_one()
            return at, kind, target  # type: ignore[return-value]
        return None

    def __len__(self) -> int:
        """Pending entries (forgotten ones not counted)."""
        return len(self._live)

    def clear(self) -> None:
        """Drop every entry."""
        self._heap.clear()
        self._live = {}
        self._live_peak = 0
        self._sequence = 0
        self._recent_instants = []
