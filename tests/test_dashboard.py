"""The dashboard in a real browser: `ripple dashboard` on a free port over a small generated
warehouse, each page opened in headless Chromium (tests/browser.py) the way a person opens it,
from the sidebar; and an ingest and a build running beside the open app."""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from browser import artifact_path
from conftest import RIPPLE, free_port
from playwright.sync_api import Browser, Page, expect

from dashboard import formatting

TICKET_DAYS = ("2023-01-01", "2023-01-04")


@dataclass(frozen=True)
class PageSpec:
    title: str
    charts: int  # Vega-Lite charts the page draws on the test data
    kpi: str  # the label of one headline number ...
    kpi_sql: str  # ... and how to compute it from gold or ops
    kpi_format: Callable


PAGES = [
    PageSpec(
        "Ops tickets", 6, "Tickets opened", "select sum(tickets_opened) from gold.features_daily", formatting.count
    ),
    PageSpec("Sales", 5, "Revenue", "select sum(revenue) from gold.sales_daily", formatting.brl),
    PageSpec("Accounts", 4, "Accounts (all time)", "select count(*) from gold.latest_summary", formatting.count),
    PageSpec(
        "Pipeline health",
        1,
        "Sources",
        "select count(distinct source_name) from ops.ingestion_metadata",
        formatting.count,
    ),
]


@dataclass
class Dashboard:
    url: str
    data_dir: Path
    env: dict[str, str]

    def ripple(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([RIPPLE, *args], capture_output=True, text=True, env=self.env, timeout=300)

    def value(self, sql: str):
        with duckdb.connect(str(self.data_dir / "warehouse.duckdb"), read_only=True) as con:
            return con.execute(sql).fetchone()[0]


@pytest.fixture(scope="session")
def dashboard(tmp_path_factory) -> Iterator[Dashboard]:
    """A few days of every source, ingested and built once per session, and the app over them."""
    data_dir = tmp_path_factory.mktemp("dashboard") / "data"
    env = {k: v for k, v in os.environ.items() if k not in ("RIPPLE_WAREHOUSE", "RIPPLE_LANDING_URL")}
    env.update(RIPPLE_DATA_DIR=str(data_dir), DBT_TARGET="ci")
    app = Dashboard("", data_dir, env)
    for args in (
        ("generate", "tickets", "--start", TICKET_DAYS[0], "--end", TICKET_DAYS[1], "--volume", "40"),
        ("generate", "reference", "--units", "3"),
        ("generate", "sales", "--start", "2024-03-01", "--end", "2024-03-03", "--units", "3"),
        ("generate", "accounts", "--accounts", "40", "--start", "2024-01", "--end", "2024-06"),
        ("ingest",),
        ("build",),
    ):
        done = app.ripple(*args)
        assert done.returncode == 0, f"ripple {' '.join(args)}: {done.stderr[-2000:]}"
    port = free_port()
    log = (data_dir / "dashboard.log").open("w")
    server = subprocess.Popen([RIPPLE, "dashboard", "--port", str(port)], env=env, stdout=log, stderr=log)
    app.url = f"http://localhost:{port}"
    try:
        wait_until_up(app.url, server)
        yield app
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def wait_until_up(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, f"ripple dashboard exited {server.returncode}"
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"the dashboard did not answer on {url} within 60 s")


@pytest.fixture
def browser_page(chromium: Browser) -> Iterator[tuple[Page, list[str]]]:
    """A browser tab and the errors its console and scripts report."""
    context = chromium.new_context(viewport={"width": 1400, "height": 2200})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page, errors
    context.close()


def wait_rendered(page: Page, title: str, charts: int) -> None:
    """Until the page's script has finished and its title and charts are drawn."""
    page.wait_for_function(
        """([title, charts]) => {
            const app = document.querySelector('[data-testid="stApp"]');
            const heading = document.querySelector('h1');
            const drawn = document.querySelectorAll(
                '[data-testid="stVegaLiteChart"] svg.marks, [data-testid="stVegaLiteChart"] canvas.marks');
            return app && app.dataset.testScriptState === 'notRunning' && heading
                && heading.innerText === title && drawn.length >= charts;
        }""",
        arg=[title, charts],
        timeout=30_000,
    )


def open_from_sidebar(page: Page, spec: PageSpec) -> float:
    """Click the page in the sidebar; seconds until it is rendered."""
    started = time.monotonic()
    page.get_by_role("link", name=spec.title, exact=True).click()
    wait_rendered(page, spec.title, spec.charts)
    return time.monotonic() - started


def metric(page: Page, label: str):
    return page.get_by_test_id("stMetric").filter(has=page.get_by_test_id("stMetricLabel").get_by_text(label))


@pytest.mark.parametrize("spec", PAGES, ids=[spec.title for spec in PAGES])
def test_each_page_shows_its_title_charts_and_a_number_from_gold(dashboard, browser_page, spec):
    page, errors = browser_page
    page.goto(dashboard.url)  # the app's first page is Ops tickets; the page under test is opened from there
    wait_rendered(page, PAGES[0].title, PAGES[0].charts)
    if spec == PAGES[0]:
        open_from_sidebar(page, PAGES[1])
    seconds = open_from_sidebar(page, spec)
    page.screenshot(path=artifact_path(f"dashboard_{spec.title.lower().replace(' ', '_')}.png"), full_page=True)
    # the render time is recorded, not asserted: tests assert no absolute times (the goal, <= 2 s
    # on the demo data, is measured on a quiet machine and quoted in the closing note)
    with artifact_path("dashboard_render_seconds.txt").open("a") as times:
        times.write(f"{spec.title}: {seconds:.2f} s\n")

    expect(page.get_by_role("heading", level=1)).to_have_text(spec.title)
    drawn = page.locator('[data-testid="stVegaLiteChart"] :is(svg.marks, canvas.marks)')
    assert drawn.count() == spec.charts
    expect(metric(page, spec.kpi).get_by_test_id("stMetricValue")).to_have_text(
        spec.kpi_format(dashboard.value(spec.kpi_sql))
    )
    assert errors == []


def test_ingest_and_build_succeed_while_the_app_is_open_and_a_refresh_shows_the_new_day(dashboard, browser_page):
    page, errors = browser_page
    ops = PAGES[0]
    page.goto(dashboard.url)
    wait_rendered(page, ops.title, ops.charts)
    last = dashboard.value("select max(business_date) from gold.daily_ops_metrics")
    new_day = last + timedelta(days=1)
    first = date.fromisoformat(TICKET_DAYS[0])
    expect(page.get_by_text(f"data from {first:%d %b %Y} to {last:%d %b %Y}")).to_be_visible()

    for args in (("generate", "tickets", "--date", new_day.isoformat(), "--volume", "40"), ("ingest",), ("build",)):
        done = dashboard.ripple(*args)
        assert done.returncode == 0, f"ripple {' '.join(args)} with the dashboard open: {done.stderr[-2000:]}"

    page.reload()
    wait_rendered(page, ops.title, ops.charts)
    expect(page.get_by_text(f"data from {first:%d %b %Y} to {new_day:%d %b %Y}")).to_be_visible()
    expect(metric(page, ops.kpi).get_by_test_id("stMetricValue")).to_have_text(
        ops.kpi_format(dashboard.value(ops.kpi_sql))
    )
    page.screenshot(path=artifact_path("dashboard_after_a_new_day.png"), full_page=True)
    assert errors == []
