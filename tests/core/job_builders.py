"""What the core tests build jobs from: the starting time, a publish payload, the default
user, and a one-line submit."""

from __future__ import annotations

from typing import Any

from ips_fake.core.clock import DEFAULT_START
from ips_fake.core.directory import User
from ips_fake.core.model import EmailSetting, JobKind, JobPayload, SubmitJobRequest
from ips_fake.fake import IpsFake

T0 = DEFAULT_START
"""Where every fake's manual clock starts: Monday 2026-01-05 09:00 UTC."""

PUBLISH = JobPayload(
    kind=JobKind.IMAGE_SERVING_PUBLISH,
    element="imageServingPublishJob",
    options=(("publishType", "Full"), ("emailSetting", "None")),
    email_setting=EmailSetting.NONE,
    publish_type="Full",
)
"""A full Image Serving publish that mails nobody."""


def ips_user(fake: IpsFake) -> User:
    """The default directory's IpsUser of company 47."""
    return fake.directory.authenticate("ipsuser@example.com", "password")


def submit(fake: IpsFake, name: str, **options: Any) -> None:
    """Submit a publish job named ``name`` in company 47 as the default user."""
    fake.service.submit_job(ips_user(fake), SubmitJobRequest("47", name, PUBLISH, **options))


def upload_urls_job(count: int, email_setting: str = "None") -> dict[str, object]:
    """A zeep-ready uploadUrlsJob listing ``count`` URLs (``in/0.jpg``, ``in/1.jpg``...)."""
    return {
        "urlArray": {
            "items": [
                {"sourceUrl": f"http://example.com/{n}.jpg", "destPath": f"in/{n}.jpg"}
                for n in range(count)
            ]
        },
        "overwrite": True,
        "readyForPublish": True,
        "createMask": False,
        "emailSetting": email_setting,
    }
