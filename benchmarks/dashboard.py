"""The dashboard's responsiveness as a person meets it: from pressing Step to the month's
charts in the page, in headless Chromium driven by selenium, at 10,000 developers (the
default), one market and compare mode.

    .venv/bin/python benchmarks/dashboard.py [--months M] [--repeat R]

Serves ``aimarket dashboard`` on a free local port, opens it at 1400x1000, runs to month
``M`` (charts grow with the months shown), then presses Step ``R`` times on each tab and
times, in the browser, from the click to the first frame painted after every chart on
the page shows the new month (``data-month``). Then compare mode (tick it, Reset), the
same. Prints the host's load average (the figures depend on it: other processes take
the CPU from both the server and the browser), the median and slowest per tab, and
where the server's time goes (the step, the metric frames, each chart, measured in this
process). Needs Debian's ``chromium`` and ``chromium-driver`` and selenium. The targets
(150 ms, 250 ms in compare mode at 10,000 developers) live in docs/performance.md,
never in a test.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from aimarket.dashboard.app import start_values
from aimarket.dashboard.charts import CHARTS, TABS
from aimarket.dashboard.controls import model_params
from aimarket.dashboard.runs import DashboardModel
from aimarket.dashboard.svg import chart_html

#: Press Step and resolve with the milliseconds until the frame after every chart shows
#: month ``arguments[0]``.
STEP = """
const [month, done] = [String(arguments[0]), arguments[arguments.length - 1]];
const charts = () => [...document.querySelectorAll('.aimarket-chart')];
const ready = () => charts().length > 0 && charts().every(c => c.dataset.month === month);
const started = performance.now();
const watch = new MutationObserver(() => {
  if (!ready()) return;
  watch.disconnect();
  requestAnimationFrame(() => done(performance.now() - started));
});
watch.observe(document.body, {subtree: true, childList: true, attributes: true});
[...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Step').click();
"""


def serve() -> tuple[subprocess.Popen, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [str(Path(sys.executable).with_name("aimarket")), "dashboard", "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    for _ in range(200):
        try:
            with urllib.request.urlopen(url, timeout=5):
                return process, url
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("the dashboard did not start")


def browser() -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--window-size=1400,1000", "--disable-gpu"):  # fmt: skip
        options.add_argument(argument)
    options.binary_location = "/usr/bin/chromium"
    driver = webdriver.Chrome(service=webdriver.ChromeService("/usr/bin/chromedriver"),
                              options=options)  # fmt: skip
    driver.set_script_timeout(60)
    return driver


def month_of(driver) -> int:
    return int(driver.find_element(By.ID, "aimarket-month").text)


def step(driver) -> float:
    """Press Step; milliseconds until the month's charts are painted."""
    return driver.execute_async_script(STEP, month_of(driver) + 1)


def measure(driver, months: int, repeat: int, mode: str) -> None:
    while month_of(driver) < months:
        step(driver)
    for tab in TABS:
        path = f"//div[contains(@class,'v-tab') and normalize-space()='{tab}']"
        driver.find_element(By.XPATH, path).click()
        time.sleep(1)
        step(driver)  # warm-up: the tab's first month
        times = [step(driver) for _ in range(repeat)]
        print(f"{mode:>10}, tab {tab!r}: median {statistics.median(times):.0f} ms, "
              f"slowest {max(times):.0f} ms")  # fmt: skip


def in_browser(months: int, repeat: int) -> None:
    process, url = serve()
    driver = browser()
    try:
        driver.get(url)
        WebDriverWait(driver, 120).until(lambda d: d.find_elements(By.ID, "aimarket-month"))
        measure(driver, months, repeat, "one market")
        driver.find_element(By.XPATH, "//label[starts-with(normalize-space(), 'compare:')]").click()
        driver.find_element(By.XPATH, "//button[normalize-space()='Reset']").click()
        WebDriverWait(driver, 60).until(lambda d: d.find_elements(By.ID, "aimarket-policy-closed"))
        measure(driver, months, repeat, "compare")
    finally:
        driver.quit()
        process.terminate()
        process.wait(timeout=60)


def server_side(months: int, repeat: int, compare: bool) -> None:
    """Milliseconds of the server's part of a month: step, frames, each chart as SVG."""
    values = {**start_values(model_params("baseline")), "compare": compare}
    model = DashboardModel(**values)
    for _ in range(months):
        model.step()
    rows = []
    for _ in range(repeat):
        spent = {}
        started = time.perf_counter()
        model.step()
        spent["step"] = time.perf_counter() - started
        started = time.perf_counter()
        for run in model.runs:
            model.frames(run)
        spent["frames"] = time.perf_counter() - started
        for name, chart in CHARTS.items():
            started = time.perf_counter()
            chart_html(chart(model))
            spent[name] = time.perf_counter() - started
        rows.append(spent)
    parts = ", ".join(f"{k} {1000 * statistics.median(r[k] for r in rows):.1f}" for k in rows[0])
    print(f"{'compare' if compare else 'one market':>10}, server side, median ms: {parts}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    in_browser(args.months, args.repeat)
    print(f"load average after the browser runs: {os.getloadavg()[0]:.1f}")
    for compare in (False, True):
        server_side(args.months, args.repeat, compare)


if __name__ == "__main__":
    main()
