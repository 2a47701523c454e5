"""Acceptance of the dashboard in a real browser: ``aimarket dashboard`` on a free local
port, headless Chromium at 1400x1000 driven by selenium: switch meta's release policy,
reset, run a few months; then compare mode for 24 months; read the numbers back from the
readout, measure what a person sees (every slider's track and value, no text over other
text in the parameter card or the readout, each chart's panels wide with the legend
outside the plotted area, named tabs), no error in the browser's console, and a
screenshot of compare mode (to ``AIMARKET_SCREENSHOT`` too if set: ``make screenshot``).

Under ``CI=true`` it must run (``.ci/run`` installs Debian's ``chromium`` and
``chromium-driver``); elsewhere, without a browser, it is skipped saying how to get one.
"""

from __future__ import annotations

import itertools
import os
import shutil
import signal
from pathlib import Path

import pandas as pd
import pytest
from conftest import free_port, start_dashboard

pytest.importorskip("solara", reason="the dashboard extra is not installed")
webdriver = pytest.importorskip("selenium.webdriver")

from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as ready  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from aimarket.dashboard.app import readout_rows, start_values  # noqa: E402
from aimarket.dashboard.charts import TABS  # noqa: E402
from aimarket.dashboard.controls import model_params  # noqa: E402
from aimarket.dashboard.runs import DashboardModel  # noqa: E402
from aimarket.simulation.scenarios import load_scenario  # noqa: E402

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
                     "--window-size=1400,1000", "--disable-gpu"):  # fmt: skip
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


#: The text boxes (one per text node, as laid out) inside an element.
TEXT_BOXES = """
const walker = document.createTreeWalker(arguments[0], NodeFilter.SHOW_TEXT);
const out = [];
while (walker.nextNode()) {
  const node = walker.currentNode;
  if (!node.textContent.trim()) continue;
  const range = document.createRange();
  range.selectNodeContents(node);
  const b = range.getBoundingClientRect();
  if (b.width > 0 && b.height > 0)
    out.push([node.textContent.trim(), b.left, b.top, b.right, b.bottom]);
}
return out;
"""
#: Each slider: its label, the width of its track, the value it shows (blank when hidden
#: or cut by the card's edges), its value.
SLIDERS = """
const card = arguments[0].getBoundingClientRect();
return [...arguments[0].querySelectorAll('.v-input__slider')].map(s => {
  const label = s.querySelector('.v-label'), shown = s.querySelector('.v-slider__thumb-label');
  const box = shown ? shown.getBoundingClientRect() : {width: 0};
  const inside = box.width > 0 && box.left >= card.left && box.right <= card.right;
  return [label ? label.textContent : '',
          s.querySelector('.v-slider__track-container').getBoundingClientRect().width,
          inside ? shown.textContent.trim() : '',
          s.querySelector('[role=slider]').getAttribute('aria-valuenow')];
});
"""
#: Each chart panel: its title, the plotted area's and the legend's boxes, the legend's
#: entries.
PANELS = """
const box = e => {
  const b = e.getBoundingClientRect();
  return [b.left, b.top, b.right, b.bottom];
};
return [...document.querySelectorAll('.aimarket-panel')].map(p => [
  p.querySelector('figcaption').textContent, box(p.querySelector('rect.plot')),
  box(p.querySelector('.aimarket-legend')), p.querySelectorAll('.aimarket-legend li').length]);
"""


def overlaps(a, b, slack: float = 0.5) -> bool:
    """Two boxes (left, top, right, bottom) share more than ``slack`` pixels each way."""
    return min(a[2], b[2]) - max(a[0], b[0]) > slack and min(a[3], b[3]) - max(a[1], b[1]) > slack


def assert_no_text_overlaps(driver, element) -> None:
    boxes = driver.execute_script(TEXT_BOXES, element)
    assert boxes, "no text found"
    clashes = [(a[0], b[0]) for a, b in itertools.combinations(boxes, 2) if overlaps(a[1:], b[1:])]
    assert not clashes, clashes


def card(driver, title: str):
    path = f"//div[contains(@class,'v-card__title') and normalize-space()='{title}']/parent::div"
    return driver.find_element(By.XPATH, path)


def assert_a_person_can_read_it(driver) -> None:
    """What a person sees: sliders with a track and their value, no text over text,
    charts wide with their legends outside the plotted area, tabs named by charts."""
    for title in ("Controls", "Model Parameters"):
        sliders = driver.execute_script(SLIDERS, card(driver, title))
        assert sliders
        for label, track, shown, value in sliders:
            assert track > 100, (label, track)
            assert shown and float(shown) == pytest.approx(float(value), rel=1e-3), (label, shown)
        assert_no_text_overlaps(driver, card(driver, title))
    assert_no_text_overlaps(driver, driver.find_element(By.CLASS_NAME, "aimarket-readout"))
    tabs = driver.find_elements(By.CLASS_NAME, "v-tab")
    assert [t.text.lower() for t in tabs] == [t.lower() for t in TABS]
    month = readout(driver, "month")
    for k, tab in enumerate(TABS):
        driver.find_elements(By.CLASS_NAME, "v-tab")[k].click()
        WebDriverWait(driver, 60).until(lambda d, t=tab: shown_charts(d) == TABS[t])
        assert chart_months(driver) == {month}
        assert_wide_panels_with_legends_outside(driver, tab)
    driver.find_elements(By.CLASS_NAME, "v-tab")[0].click()
    WebDriverWait(driver, 60).until(lambda d: shown_charts(d) == next(iter(TABS.values())))


def assert_wide_panels_with_legends_outside(driver, tab: str) -> None:
    panels = driver.execute_script(PANELS)
    assert len(panels) >= 2, tab
    for title, plot, legend, entries in panels:
        assert plot[2] - plot[0] > 340 and entries > 0, title  # the panel's svg is 470 px
        assert not overlaps(plot, legend, slack=0) and legend[1] >= plot[3], title
    svgs = driver.execute_script("return [...document.querySelectorAll('.aimarket-panel svg')]"
                                 ".map(s => s.getBoundingClientRect().width)")  # fmt: skip
    assert min(svgs) >= 400, (tab, svgs)


def shown_charts(driver) -> tuple[str, ...]:
    """The names of the charts on the page, in order."""
    script = "return [...document.querySelectorAll('.aimarket-chart')].map(c => c.id)"
    return tuple(i.removeprefix("aimarket-chart-") for i in driver.execute_script(script))


def test_switch_meta_closed_then_compare_for_two_years_in_a_browser(browser, dashboard, tmp_path):
    wait = WebDriverWait(browser, 60, ignored_exceptions=(StaleElementReferenceException,))
    browser.get(dashboard)
    wait.until(ready.presence_of_element_located((By.ID, "aimarket-month")))
    assert readout(browser, "month") == "0" and readout(browser, "policy") == "open"
    start = pd.Period(load_scenario("baseline").market.start, "M")
    assert readout(browser, "date") == str(start)
    choose(browser, wait, "meta: release policy", "closed")
    click(browser, wait, "Reset")
    wait.until(lambda d: readout(d, "policy") == "closed")
    before = (readout(browser, "open-share"), readout(browser, "payoff"))
    step(browser, wait, 3)
    assert readout(browser, "policy") == "closed" and readout(browser, "date") == str(start + 2)
    moved = (readout(browser, "open-share"), readout(browser, "payoff"))
    assert moved[0] != before[0] and moved[1] != before[1], (before, moved)
    assert 0 < float(moved[0]) < 1 and float(moved[1]) != 0
    browser.find_element(By.XPATH, "//label[starts-with(normalize-space(), 'compare:')]").click()
    click(browser, wait, "Reset")
    wait.until(lambda d: readout(d, "policy-closed") == "closed" and readout(d, "month") == "0")
    step(browser, wait, MONTHS)
    wait.until(ready.presence_of_element_located((By.XPATH, "//*[text()='Step: 24']")))
    assert readout(browser, "date") == str(start + MONTHS - 1)
    assert readout(browser, "policy") == "open" and readout(browser, "policy-closed") == "closed"
    difference = float(readout(browser, "payoff")) - float(readout(browser, "payoff-closed"))
    assert float(readout(browser, "payoff-difference")) == pytest.approx(difference, abs=0.11)
    # untouched sliders leave the scenario as it is: the page runs what Python runs
    params = {**start_values(model_params("baseline")), "compare": True}
    model = DashboardModel(**params)
    for _ in range(MONTHS):
        model.step()
    expected = {row[1]: row[2] for row in readout_rows(model)}
    for key in ("aimarket-payoff", "aimarket-payoff-closed", "aimarket-open-share"):
        assert readout(browser, key.removeprefix("aimarket-")) == expected[key], key
    assert_a_person_can_read_it(browser)
    captions = [e.text for e in browser.find_elements(By.TAG_NAME, "figcaption")]
    assert any(c.startswith("Paired difference") for c in captions), captions
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors
    shot = tmp_path / "dashboard.png"
    scroll_up = (
        "document.querySelectorAll('.v-navigation-drawer__content').forEach(e => e.scrollTop = 0)"
    )
    browser.execute_script(scroll_up)  # the sidebar from its top
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    if target := os.environ.get("AIMARKET_SCREENSHOT"):
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, target)


def step(driver, wait, months: int) -> None:
    """Press Step ``months`` times, each once the month before is in."""
    first = int(readout(driver, "month"))
    for month in range(first + 1, first + months + 1):
        click(driver, wait, "Step")
        wait.until(lambda d, m=month: chart_months(d) == {str(m)})


def chart_months(driver) -> set[str]:
    """The months the charts on the page show (``data-month``)."""
    script = "return [...document.querySelectorAll('.aimarket-chart')].map(c => c.dataset.month)"
    return set(driver.execute_script(script) or [])
