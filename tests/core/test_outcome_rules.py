"""Outcome rules and job kinds from loose names: the core builds them for the facade, the
plugin and the admin API alike."""

from __future__ import annotations

import pytest

from ips_fake.core.model import JobKind, Outcome, job_kind
from ips_fake.core.outcomes import OutcomeRule, outcome_rule


@pytest.mark.parametrize("name", ["uploadUrlsJob", "UrlUpload", "UPLOAD_URLS", "upload_urls"])
def test_a_job_kind_by_any_of_its_names(name: str) -> None:
    assert job_kind(name) is JobKind.UPLOAD_URLS


def test_an_unknown_job_kind_is_refused_with_the_known_names() -> None:
    with pytest.raises(ValueError, match="uploadUrlsJob"):
        job_kind("uploadEverythingJob")


def test_an_outcome_rule_from_loose_values() -> None:
    rule = outcome_rule("fail", kind="exportJob", name_pattern="nightly-*", seconds=30)
    assert rule == OutcomeRule(Outcome.FAIL, JobKind.EXPORT, "nightly-*", 30)
    with pytest.raises(ValueError, match="explode"):
        outcome_rule("explode")


def test_the_facade_still_exports_the_rule_builders() -> None:
    from ips_fake import fake

    assert fake.outcome_rule is outcome_rule
    assert fake.job_kind is job_kind
