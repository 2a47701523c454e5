"""Acceptance of the dashboard in a real browser: ``aimarket dashboard`` on a free local
port, headless Chromium driven by selenium: switch meta's release policy, reset, run 24
months, read the numbers back from the readout, no error in the browser's console, and a
screenshot (to ``AIMARKET_SCREENSHOT`` too if set: ``make screenshot``).

Under ``CI=true`` it must run (``.ci/run`` installs Debian's ``chromium`` and
``chromium-driver``); elsewhere, without a browser, it is skipped saying how to get one.
"""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import pytest
from conftest import free_port, start_dashboard

pytest.importorskip("solara", reason="the dashboard extra is not installed")
webdriver = pytest.importorskip("selenium.webdriver")

from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as ready  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

MONTHS = 24
INSTALL = "apt-get install -y chromium chromium-driver (Debian) and pip install selenium"


def browser_paths() -> tuple[str, str] | None:
    """Chromium and its driver on this machine, if both are there."""
    binary = next(filter(None, map(shutil.which, ("chromium", "chromium-browser"))), None)
    driver = shutil.which("chromedriver")
    return (binary, driver) if binary and driver else None


@pytest.fixture
def browser():
    paths = browser_paths()
    if paths is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the browser test: no Chromium found; {INSTALL}")
        pytest.skip(f"no headless Chromium: install it with {INSTALL}")
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--window-size=1600,1300", "--disable-gpu"):  # fmt: skip
        options.add_argument(argument)
    options.binary_location = paths[0]
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=webdriver.ChromeService(paths[1]), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def dashboard():
    port = free_port()
    process = start_dashboard(port)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=60)


def readout(driver, key: str) -> str:
    """A readout value; the page redraws it every month, so read it again if it went."""
    for _ in range(20):
        try:
            return driver.find_element(By.ID, f"aimarket-{key}").text
        except StaleElementReferenceException:
            continue
    raise AssertionError(f"the readout's {key} keeps being redrawn")


def choose(driver, wait, label: str, value: str) -> None:
    """Pick ``value`` in the select labelled ``label`` (a Vuetify menu)."""
    field = (
        f"//label[normalize-space()='{label}']/ancestor::div[contains(@class,'v-input')][1]"
        "//div[contains(@class,'v-select__slot')]"
    )
    wait.until(ready.element_to_be_clickable((By.XPATH, field))).click()
    item = (
        "//div[contains(@class,'menuable__content__active')]"
        f"//div[contains(@class,'v-list-item__title') and normalize-space()='{value}']"
    )
    wait.until(ready.element_to_be_clickable((By.XPATH, item))).click()


def click(driver, wait, name: str) -> None:
    wait.until(ready.element_to_be_clickable((By.XPATH, f"//button[normalize-space()='{name}']")))
    driver.find_element(By.XPATH, f"//button[normalize-space()='{name}']").click()


def test_switch_meta_closed_and_run_two_years_in_a_browser(browser, dashboard, tmp_path):
    wait = WebDriverWait(browser, 60, ignored_exceptions=(StaleElementReferenceException,))
    browser.get(dashboard)
    wait.until(ready.presence_of_element_located((By.ID, "aimarket-month")))
    assert readout(browser, "month") == "0" and readout(browser, "policy") == "open"
    choose(browser, wait, "meta: release policy", "closed")
    click(browser, wait, "Reset")
    wait.until(lambda d: readout(d, "policy") == "closed")
    start = (readout(browser, "open-share"), readout(browser, "payoff"))
    for month in range(1, MONTHS + 1):
        click(browser, wait, "Step")
        wait.until(lambda d, m=month: readout(d, "month") == str(m))
    wait.until(ready.presence_of_element_located((By.XPATH, "//*[text()='Step: 24']")))
    assert readout(browser, "date") == "2024-12"
    assert readout(browser, "policy") == "closed"
    moved = (readout(browser, "open-share"), readout(browser, "payoff"))
    assert moved[0] != start[0] and moved[1] != start[1], (start, moved)
    assert 0 < float(moved[0]) < 1 and float(moved[1]) != 0
    drawn = "return [...document.images].filter(i => i.complete && i.naturalWidth > 0).length"
    assert browser.execute_script(drawn) >= 5, "the charts are not on the page"
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors
    shot = tmp_path / "dashboard.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    if target := os.environ.get("AIMARKET_SCREENSHOT"):
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, target)
