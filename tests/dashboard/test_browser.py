"""The dashboard in a real browser (headless Chromium): it updates itself without a reload,
its controls move the clock, script outcomes and reset through the admin API, opened details
stay open across updates, and with a token it asks for it once."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import requests

from ips_fake.clocks import WallClock
from ips_fake.server import FakeServer
from tests.dashboard.browser_support import PAGE_WAIT_SECONDS, ServerFactory, save_artifact, submit

if not os.environ.get("CI"):  # under CI a missing selenium is an error, not a skip
    pytest.importorskip("selenium", reason="!!! selenium missing: pip install -e '.[test]'")
from selenium.common.exceptions import (
    NoSuchElementException,
    StaleElementReferenceException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

DOCS_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "dashboard.png"
MARK = "this page was not reloaded"


def wait(driver: Any, condition: Any, message: str) -> Any:
    """Wait for ``condition``; the panels are swapped while it is checked, so an element found
    a moment ago may be gone (stale): that only means checking again."""
    return WebDriverWait(
        driver,
        PAGE_WAIT_SECONDS,
        poll_frequency=0.1,
        ignored_exceptions=(StaleElementReferenceException, NoSuchElementException),
    ).until(condition, message)


def open_page(driver: Any, server: FakeServer, query: str = "") -> None:
    """Open the dashboard and mark the window, to tell an in-place update from a reload."""
    driver.get(server.base_url + "/_fake/" + query)
    driver.execute_script("window.dashboardMark = arguments[0];", MARK)


def not_reloaded(driver: Any) -> bool:
    return bool(driver.execute_script("return window.dashboardMark;") == MARK)


def text(driver: Any, css: str) -> str:
    """The text of the first element ``css`` selects (read in one step: no stale element)."""
    found = driver.execute_script(
        "var e = document.querySelector(arguments[0]); return e ? e.innerText : null;", css
    )
    if found is None:
        raise NoSuchElementException(css)
    return str(found)


def refreshes(driver: Any) -> int:
    return int(driver.find_element(By.ID, "panels").get_attribute("data-refreshes") or 0)


def progress(driver: Any, run_id: int) -> int:
    value = driver.execute_script(
        "var e = document.getElementById(arguments[0]); return e ? e.value : null;",
        f"progress-{run_id}",
    )
    if value is None:
        raise NoSuchElementException(f"progress-{run_id}")
    return int(value)


def click(driver: Any, css: str) -> None:
    """Click what ``css`` selects as a user would, again if the panels were swapped meanwhile."""

    def clicked(d: Any) -> bool:
        d.find_element(By.CSS_SELECTOR, css).click()
        return True

    wait(driver, clicked, f"could not click {css}")


def status_text(driver: Any) -> str:
    return text(driver, "#control-status")


def advance_with_page(driver: Any, label: str) -> None:
    Select(driver.find_element(By.ID, "advance-step")).select_by_visible_text(label)
    driver.find_element(By.ID, "advance-button").click()
    wait(driver, lambda d: "done" in status_text(d), "the Advance control never finished")


def test_progress_bars_move_when_the_pages_own_control_advances_the_clock(
    browser: Any, serve: ServerFactory
) -> None:
    server = serve(seconds_per_item=60)
    submit(server, "Spring catalogue")
    submit(server, "Summer catalogue")
    submit(server, "Nightly publish", execSchedule="0 0 3 * * ?")  # fires at 03:00 only
    open_page(browser, server)
    assert "Nightly publish" in text(browser, "#panel-jobs")
    assert progress(browser, 1) == 0
    assert progress(browser, 2) == 0

    advance_with_page(browser, "1 minute")
    wait(browser, lambda d: progress(d, 1) > 0, "run 1's progress bar never moved")
    first = progress(browser, 1)
    assert server.fake.service.all_active_jobs()[0].progress == first  # what the page shows
    assert text(browser, "#clock-now").startswith("2026-01-05 09:01:00")

    advance_with_page(browser, "1 minute")
    wait(browser, lambda d: progress(d, 1) > first, "run 1's progress bar stopped at its value")
    assert 0 < progress(browser, 2) < 100
    assert not_reloaded(browser)
    shot = save_artifact(browser, "dashboard-runs-in-flight.png")
    assert shot.stat().st_size > 10_000
    if os.environ.get("IPS_FAKE_UPDATE_SCREENSHOT"):
        shutil.copyfile(shot, DOCS_SCREENSHOT)


def test_the_page_follows_changes_made_elsewhere_without_a_reload(
    browser: Any, server: FakeServer
) -> None:
    open_page(browser, server)
    assert "No run in flight." in text(browser, "#panel-runs")

    submit(server, "Arrived while open")
    wait(browser, lambda d: d.find_elements(By.ID, "progress-1"), "the new run never appeared")
    requests.post(server.base_url + "/_fake/clock", json={"advance": 3}, timeout=10)
    wait(browser, lambda d: progress(d, 1) > 0, "the page did not follow the clock")
    journal = text(browser, "#panel-journal")
    assert "submitJob" in journal
    assert not_reloaded(browser)


def test_an_opened_log_shows_its_lines_and_stays_open_across_updates(
    browser: Any, server: FakeServer
) -> None:
    submit(server, "Finished early")
    requests.post(server.base_url + "/_fake/clock", json={"advance": 60}, timeout=10)
    open_page(browser, server)

    click(browser, "#log-1 summary")
    wait(
        browser,
        lambda d: d.find_elements(By.CSS_SELECTOR, "#log-1 table.log-lines"),
        "the log's lines never loaded",
    )
    assert "OriginalJobName" in text(browser, "#log-1")

    before = refreshes(browser)
    submit(server, "Another one")
    wait(browser, lambda d: refreshes(d) >= before + 2, "the page stopped updating")
    assert browser.execute_script("return document.getElementById('log-1').open;") is True
    assert browser.find_elements(By.CSS_SELECTOR, "#log-1 table.log-lines")
    assert browser.find_elements(By.ID, "progress-2")
    assert not_reloaded(browser)


def test_a_scripted_failure_shows_in_the_failed_runs_log(browser: Any, server: FakeServer) -> None:
    open_page(browser, server)
    Select(browser.find_element(By.ID, "outcome")).select_by_visible_text("fail")
    browser.find_element(By.ID, "outcome-pattern").send_keys("Doomed*")
    browser.find_element(By.ID, "outcome-add").click()
    wait(browser, lambda d: "fail" in text(d, "#rules"), "the rule never showed")
    assert [rule.outcome.value for rule in server.fake.service.outcomes.rules] == ["fail"]

    submit(server, "Doomed job")
    submit(server, "Fine job")
    advance_with_page(browser, "1 minute")
    wait(
        browser,
        lambda d: d.find_elements(By.CSS_SELECTOR, "#panel-logs details"),
        "no log appeared",
    )
    wait(
        browser,
        lambda d: len(d.find_elements(By.CSS_SELECTOR, "#panel-logs details")) == 2,
        "both logs never appeared",
    )
    click(browser, "#panel-logs details.fatal summary")
    wait(
        browser,
        lambda d: d.find_elements(By.CSS_SELECTOR, "details.fatal tr.line-error"),
        "the failed run's log shows no error line",
    )
    assert "Doomed job" in text(browser, "#panel-logs details.fatal")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#panel-logs details.fatal")) == 1

    browser.find_element(By.ID, "outcome-clear").click()
    wait(
        browser, lambda d: "every job succeeds" in text(d, "#rules"), "the rules were never cleared"
    )
    assert list(server.fake.service.outcomes.rules) == []


def test_reset_empties_every_panel(browser: Any, server: FakeServer) -> None:
    submit(server, "Before the reset")
    open_page(browser, server)
    advance_with_page(browser, "10 seconds")
    wait(
        browser,
        lambda d: d.find_elements(By.CSS_SELECTOR, "#panel-logs details"),
        "no log before the reset",
    )

    browser.find_element(By.ID, "reset-button").click()
    wait(
        browser,
        lambda d: "No job log yet." in text(d, "#panel-logs"),
        "the logs stayed after the reset",
    )
    assert "No request yet." in text(browser, "#panel-journal")
    assert "No mail." in text(browser, "#panel-outbox")
    assert text(browser, "#clock-now").startswith("2026-01-05 09:00:00")
    assert server.fake.journal == []
    assert not_reloaded(browser)


def test_an_exchange_opens_to_its_xml_with_the_password_masked(
    browser: Any, server: FakeServer
) -> None:
    submit(server, "Looked at")
    open_page(browser, server)
    click(browser, "#exchange-1 summary")
    wait(
        browser,
        lambda d: d.find_elements(By.CSS_SELECTOR, "#exchange-1 pre.xml"),
        "the exchange's XML never loaded",
    )
    request_xml, answer_xml = [
        pre.text for pre in browser.find_elements(By.CSS_SELECTOR, "#exchange-1 pre.xml")
    ]
    assert "<ns0:password>***</ns0:password>" in request_xml
    assert ">password<" not in request_xml
    assert "\n      <ns0:jobName>Looked at</ns0:jobName>" in request_xml  # indented
    assert "j|47|Looked at||" in answer_xml


def test_filters_and_job_links_narrow_every_panel(browser: Any, server: FakeServer) -> None:
    submit(server, "Alpha")
    submit(server, "Beta")
    open_page(browser, server)
    click(browser, "li[data-job='Alpha'] a.job-link")
    wait(browser, lambda d: "job=Alpha" in d.current_url, "the job link went nowhere")
    runs = browser.find_elements(By.CSS_SELECTOR, "#panel-runs li.run")
    assert [run.get_attribute("data-job") for run in runs] == ["Alpha"]
    journal = text(browser, "#panel-journal")
    assert "#1 submitJob" in journal
    assert "#2" not in journal
    assert browser.find_element(By.ID, "filter-job").get_attribute("value") == "Alpha"


def test_on_the_real_clock_the_clock_controls_are_disabled_with_the_reason(
    browser: Any, serve: ServerFactory
) -> None:
    server = serve(clock=WallClock())
    open_page(browser, server)
    assert not browser.find_element(By.ID, "advance-button").is_enabled()
    assert "cannot be moved" in browser.find_element(By.ID, "clock-fixed").text
    assert browser.find_element(By.ID, "reset-button").is_enabled()


def test_with_a_token_the_page_asks_once_and_its_controls_work(
    browser: Any, serve: ServerFactory
) -> None:
    server = serve(admin_token="s3cret", seconds_per_item=60)
    browser.get(server.base_url + "/_fake/")
    field = browser.find_element(By.ID, "token")
    field.send_keys("s3cret")
    field.submit()
    wait(browser, lambda d: d.find_elements(By.ID, "panels"), "the token did not open the page")
    assert "token" not in browser.current_url
    browser.execute_script("window.dashboardMark = arguments[0];", MARK)
    submit(server, "Behind a token")
    wait(browser, lambda d: d.find_elements(By.ID, "progress-1"), "the page stopped updating")

    advance_with_page(browser, "1 minute")
    wait(browser, lambda d: progress(d, 1) > 0, "the Advance control failed behind the token")
    browser.get(server.base_url + "/_fake/")  # asked once: the cookie keeps it
    assert browser.find_elements(By.ID, "panels")
    assert requests.get(server.base_url + "/_fake/clock", timeout=10).status_code == 401
