"""What an analyst sees, checked in a real browser: Debian's headless Chromium.

The dbt docs of the scenario's warehouse are served by `dbt docs serve` on 127.0.0.1;
the model list, a model page and the lineage graph (with the report's exposure in it)
must render. The report written from the same warehouse must draw every chart and log
no JavaScript error. Screenshots land in target/screenshots/ for a person to look at.

Without chromium and chromedriver (Debian packages `chromium`, `chromium-driver`;
`make test` installs them) the tests skip, except under CI=true, where they fail.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Scenario
from tests.pipeline import BIN, PROJECT_ROOT, dbt, run_command
from tools.ports import free_port

log = logging.getLogger(__name__)

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1400,1000",
)
SCREENSHOTS = PROJECT_ROOT / "target" / "screenshots"
REPORT_CHARTS = 7
TIMEOUT_S = 60


def _under_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.exists()]
    if missing:
        message = f"no {', '.join(missing)}: install Debian's chromium and chromium-driver"
        if _under_ci():
            pytest.fail(f"CI=true and {message}")
        pytest.skip(message)
    # Selenium must use the system browser and driver, never look for or fetch its own.
    os.environ["SE_OFFLINE"] = "true"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium_profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    driver.set_page_load_timeout(TIMEOUT_S)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        yield driver
    finally:
        driver.quit()


def _wait_for(driver: Any, script: str, what: str) -> Any:
    """Poll a JavaScript expression until it is truthy; fail naming what never appeared."""
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        value = driver.execute_script(f"try {{ return {script}; }} catch (e) {{ return null; }}")
        if value:
            return value
        time.sleep(0.5)
    driver.save_screenshot(str(SCREENSHOTS / f"failed_{what.replace(' ', '_')}.png"))
    raise AssertionError(f"{what}: `{script}` never became true within {TIMEOUT_S}s")


@pytest.fixture(scope="module")
def docs_url(scenario: Scenario) -> Iterator[str]:
    """`dbt docs serve` of the scenario's project, on a free port of 127.0.0.1."""
    dbt(scenario.sandbox, "docs", "generate")
    port = free_port()
    server = subprocess.Popen(
        [
            str(BIN / "dbt"), "docs", "serve", "--profiles-dir", str(PROJECT_ROOT),
            "--target", "duckdb", "--host", "127.0.0.1", "--port", str(port), "--no-browser",
        ],
        cwd=PROJECT_ROOT,
        env=scenario.sandbox.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            try:
                with urllib.request.urlopen(url + "manifest.json", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"dbt docs serve did not answer on {url}") from None
                time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def report_file(scenario: Scenario, tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("report") / "index.html"
    result = run_command(
        [str(BIN / "python"), "-m", "report", "--warehouse", str(scenario.sandbox.warehouse),
         "--output", str(output)],
        scenario.sandbox,
    )  # fmt: skip
    assert f"report: {output.resolve()}" in result.stdout
    # A copy beside the screenshots, for a person to open.
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(output, SCREENSHOTS / "report.html")
    return output


GRAPH = (
    "angular.element(document.querySelector('[ng-app]') || document.body).injector().get('graph')"
)


def test_docs_model_list_and_model_page_render(browser: Any, docs_url: str) -> None:
    browser.get(docs_url + "#!/overview")
    _wait_for(
        browser,
        "Array.from(document.querySelectorAll('a')).some(a => a.textContent.trim() === 'marts')",
        "the project tree",
    )
    browser.get(docs_url + "#!/model/model.telestream.fct_daily_sales")
    _wait_for(
        browser,
        "document.body.innerText.includes('One row per order date and order channel')",
        "the model page's description",
    )
    _wait_for(browser, "document.body.innerText.includes('average_order_value_eur')", "columns")
    browser.save_screenshot(str(SCREENSHOTS / "docs_model_page.png"))


def test_docs_lineage_graph_draws_the_report_exposure(browser: Any, docs_url: str) -> None:
    browser.get(docs_url + "#!/exposure/exposure.telestream.analyst_report")
    _wait_for(browser, "document.body.innerText.includes('fct_daily_sales')", "the exposure's page")
    browser.find_element("css selector", "[title='View Lineage Graph']").click()
    nodes = _wait_for(
        browser,
        f"{GRAPH}.graph_element && {GRAPH}.graph_element.nodes(':visible').map(n => n.id())",
        "lineage graph nodes",
    )
    assert "exposure.telestream.analyst_report" in nodes
    assert "model.telestream.fct_daily_sales" in nodes
    assert len(nodes) >= 8
    # Drawn, not only laid out: the graph's canvas has painted pixels.
    painted = _wait_for(
        browser,
        "Array.from(document.querySelectorAll('canvas')).some(c => { const x = c.getContext('2d');"
        " if (!x || !c.width || !c.height) return false;"
        " const d = x.getImageData(0, 0, c.width, c.height).data;"
        " for (let i = 3; i < d.length; i += 4) if (d[i] > 0) return true; return false; })",
        "a painted graph canvas",
    )
    assert painted
    browser.save_screenshot(str(SCREENSHOTS / "docs_lineage_graph.png"))


def test_report_draws_every_chart_without_errors(browser: Any, report_file: Path) -> None:
    browser.get_log("browser")  # drop what earlier pages logged
    browser.get(report_file.resolve().as_uri())
    drawn = _wait_for(
        browser,
        "(() => { const plots = Array.from(document.querySelectorAll('.js-plotly-plot'));"
        f" return plots.length === {REPORT_CHARTS} && plots.every(p => p.data && p.data.length"
        " && p.data.some(t => (t.x && t.x.length) || (t.z && t.z.length))"
        " && p.querySelector('svg.main-svg') && p._fullLayout) ? plots.length : 0; })()",
        "every chart drawn",
    )
    assert drawn == REPORT_CHARTS
    readings = browser.execute_script(
        "return Array.from(document.querySelectorAll('p.reading')).map(p => p.textContent)"
    )
    assert len(readings) == REPORT_CHARTS and all(readings)
    titles = browser.execute_script(
        "return Array.from(document.querySelectorAll('.js-plotly-plot'))"
        ".map(p => [p._fullLayout.title.text, p._fullLayout.xaxis.title.text,"
        " p._fullLayout.yaxis.title.text])"
    )
    assert all(all(parts) for parts in titles), titles
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert not errors, errors
    browser.set_window_size(1400, 3600)
    browser.save_screenshot(str(SCREENSHOTS / "report.png"))
    browser.set_window_size(1400, 1000)
