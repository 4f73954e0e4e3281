"""The knobs of one fake server that are not state (:class:`ServiceSettings`)."""

from __future__ import annotations

from dataclasses import dataclass

from ips_fake.core.runs import DEFAULT_SECONDS_PER_ITEM

#: Job logs kept per company unless configured otherwise.
DEFAULT_LOG_RETENTION = 10_000


@dataclass(frozen=True)
class ServiceSettings:
    """Knobs of one fake server that are not state."""

    server_name: str = "ips-fake-1"
    time_zone: str = "UTC"
    seconds_per_item: float = DEFAULT_SECONDS_PER_ITEM
    client_name: str = "IPS API"
    #: Job logs kept per company (with their details, export archives and e-mails); the
    #: oldest are dropped first. At least 1.
    log_retention: int = DEFAULT_LOG_RETENTION

    def __post_init__(self) -> None:
        if self.log_retention < 1:
            raise ValueError(f"log_retention must be at least 1, got {self.log_retention}")
