"""A real browser on the real server: headless Chromium (Debian's ``chromium`` and
``chromium-driver``) driven by Selenium against ``programfinder serve`` in a subprocess.

Elsewhere the test skips, saying why, when the browser cannot start; with
``PROGRAMFINDER_REQUIRE_BROWSER=1`` (CI sets it) it fails instead. Screenshots go to a temporary
folder (or ``PROGRAMFINDER_SCREENSHOT_DIR``); with ``PROGRAMFINDER_UPDATE_SCREENSHOTS=1`` the
search page is also saved as ``docs/screenshot-search.png`` for the README.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO_ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
DRAFT = (
    "Operation Safe Parcel. Residents of Springfield reported 300 stolen parcels in 2024. "
    "Volunteers from the neighbourhood association will run parcel lockers at the library, "
    "and officers will map the thefts every week. We aim to cut package thefts by 40% at a "
    "cost of $5,000, paid by a state grant."
)


def _unavailable(reason: str) -> None:
    if os.environ.get("PROGRAMFINDER_REQUIRE_BROWSER") == "1":
        pytest.fail(f"the browser test is required here, but {reason}")
    pytest.skip(f"no browser test: {reason} (set PROGRAMFINDER_REQUIRE_BROWSER=1 to fail instead)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """`programfinder serve` on a free loopback port, stopped with Ctrl-C at the end."""
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("PROGRAMFINDER_CORPUS", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "programfinder", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server stopped: {process.stdout.read() if process.stdout else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("the server did not start within 60 s")
    yield f"http://127.0.0.1:{port}"
    process.send_signal(2)  # SIGINT, as Ctrl-C
    try:
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
    output = process.stdout.read() if process.stdout else ""
    assert "Traceback" not in output, output


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        _unavailable(
            f"{CHROMIUM} or {CHROMEDRIVER} is missing (apt-get install chromium chromium-driver)"
        )
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _unavailable("selenium is not installed (pip install -e '.[dev]')")
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never download a driver
    profile = tempfile.mkdtemp(prefix="programfinder-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        "--window-size=1280,1000",
        "--hide-scrollbars",
    ):
        options.add_argument(flag)
    try:
        driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    except Exception as exc:  # any reason the browser cannot start
        shutil.rmtree(profile, ignore_errors=True)
        _unavailable(f"Chromium did not start ({exc.__class__.__name__}: {str(exc)[:300]})")
    driver.set_page_load_timeout(30)
    driver.implicitly_wait(5)  # a click that navigates returns before the next page is parsed
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("PROGRAMFINDER_SCREENSHOT_DIR")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    print(f"screenshots in {path}")
    return path


def _save(driver: Any, folder: Path, name: str) -> Path:
    path = folder / name
    driver.save_screenshot(str(path))
    assert path.stat().st_size > 1000
    return path


def _wait_for(driver: Any, condition: Any, timeout: float = 10) -> None:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda _: condition()
    )


def _docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.add_heading("Operation Safe Parcel", 1)
    for sentence in DRAFT.split(". "):
        document.add_paragraph(sentence.strip(".") + ".")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Partner"
    table.cell(0, 1).text = "Springfield Public Library"
    document.save(str(path))
    return path


def test_a_person_searches_reads_compares_and_uploads(
    server: str, browser: Any, shots: Path, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver = browser
    driver.set_window_size(1280, 1000)

    # search: type a query, see hits with highlighted words and facets
    driver.get(server + "/")
    box = driver.find_element(By.ID, "q")
    box.send_keys("porch package theft", Keys.ENTER)
    hits = driver.find_elements(By.CSS_SELECTOR, "ol.hits li.hit")
    assert len(hits) >= 3
    assert "q=porch+package+theft" in driver.current_url
    assert driver.find_elements(By.CSS_SELECTOR, "ol.hits mark")
    facets = driver.find_element(By.CSS_SELECTOR, "aside.facets")
    assert "award" in facets.text.lower() and "country" in facets.text.lower()
    search_shot = _save(driver, shots, "search.png")
    if os.environ.get("PROGRAMFINDER_UPDATE_SCREENSHOTS") == "1":
        (REPO_ROOT / "docs").mkdir(exist_ok=True)
        shutil.copy(search_shot, REPO_ROOT / "docs" / "screenshot-search.png")

    # a facet narrows, its chip removes it again in one click
    facets.find_element(By.CSS_SELECTOR, ".facet a").click()
    _wait_for(driver, lambda: "award=" in driver.current_url)
    narrowed = len(driver.find_elements(By.CSS_SELECTOR, "ol.hits li.hit"))
    assert narrowed >= 1
    driver.find_element(By.CSS_SELECTOR, ".chosen a.chip").click()
    _wait_for(driver, lambda: "award=" not in driver.current_url)

    # open a record, then follow one of its similar programs
    first = driver.find_element(By.CSS_SELECTOR, "ol.hits li.hit h3 a")
    title = first.text
    first.click()
    _wait_for(driver, lambda: driver.find_element(By.TAG_NAME, "h1").text == title)
    assert driver.find_element(By.ID, "similar-heading").is_displayed()
    _save(driver, shots, "record.png")
    similar = driver.find_element(By.CSS_SELECTOR, "section.similar ol.hits h3 a")
    other = similar.text
    similar.click()
    assert other != title
    _wait_for(driver, lambda: driver.find_element(By.TAG_NAME, "h1").text == other)
    assert "/programs/" in driver.current_url

    # paste a draft: the closest winners, the gaps and the checklist
    driver.get(server + "/draft")
    driver.find_element(By.ID, "text").send_keys(DRAFT)
    driver.find_element(By.CSS_SELECTOR, "form.draft button[type=submit]").click()
    assert driver.find_element(By.ID, "checklist-heading").is_displayed()
    checklist = driver.find_element(By.CSS_SELECTOR, "ul.checklist").text
    assert "Specific measures of success" in checklist and "Low-cost" in checklist
    assert driver.find_elements(By.CSS_SELECTOR, "ol.hits li.hit")
    _save(driver, shots, "draft-report.png")

    # upload a .docx
    driver.get(server + "/draft")
    upload = _docx(tmp_path / "proposal.docx")
    driver.find_element(By.ID, "file").send_keys(str(upload))
    driver.find_element(By.CSS_SELECTOR, "form.draft button[type=submit]").click()
    assert driver.find_element(By.ID, "checklist-heading").is_displayed()  # the report page
    assert "proposal.docx" in driver.find_element(By.CSS_SELECTOR, "main").text
    _save(driver, shots, "draft-upload.png")

    # statistics with server-drawn charts
    driver.get(server + "/stats")
    assert len(driver.find_elements(By.CSS_SELECTOR, "svg.chart-svg rect.bar")) > 10
    _save(driver, shots, "stats.png")

    # a phone: nothing wider than the screen
    driver.set_window_size(390, 844)
    driver.get(server + "/search?q=co-responder+mental+health")
    width = driver.execute_script("return document.documentElement.scrollWidth")
    inner = driver.execute_script("return window.innerWidth")
    assert width <= inner, (width, inner)
    _save(driver, shots, "search-phone.png")
    driver.get(server + "/programs/iacp-crime-prevention-2021-denver-pd")
    assert driver.execute_script("return document.documentElement.scrollWidth") <= inner
    _save(driver, shots, "record-phone.png")


def test_a_person_cites_sorts_and_narrows_on_a_phone(
    server: str, browser: Any, shots: Path
) -> None:
    """Copy a record's citation (through the clipboard, as a person would), sort a search by
    year, and on a phone reach the filters from the top of the results and narrow by one."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver = browser
    driver.set_window_size(1280, 1000)

    # a record page: select the citation, copy it, paste it where a proposal is written
    driver.get(server + "/programs/iacp-crime-prevention-2021-denver-pd")
    citation = driver.find_element(By.ID, "citation")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", citation)
    expected = citation.get_attribute("value")
    assert expected.startswith("Denver Police Department (2021). “Co-Responder Program”.")
    _save(driver, shots, "record-citation.png")
    citation.click()
    citation.send_keys(Keys.CONTROL, "a")
    citation.send_keys(Keys.CONTROL, "c")
    driver.get(server + "/draft")
    proposal = driver.find_element(By.ID, "text")
    proposal.click()
    proposal.send_keys(Keys.CONTROL, "v")
    assert proposal.get_attribute("value") == expected
    driver.get(server + "/programs/iacp-crime-prevention-2021-denver-pd")
    links = driver.find_elements(By.CSS_SELECTOR, ".citation .formats a")
    assert [a.text for a in links] == ["RIS", "BibTeX", "CSL-JSON", "Plain text"]

    # sort a search by year: one click, newest first, and the address says so
    driver.get(server + "/search?q=domestic+violence")
    driver.find_element(By.LINK_TEXT, "Newest first").click()
    _wait_for(driver, lambda: "sort=newest" in driver.current_url)
    years = [
        int(meta.text.rsplit(", ", 1)[-1][:4])
        for meta in driver.find_elements(By.CSS_SELECTOR, "ol.hits li.hit > p.meta")
    ]
    assert len(years) >= 3 and years == sorted(years, reverse=True), years
    current = driver.find_element(By.CSS_SELECTOR, "nav.sort a[aria-current]")
    assert current.text == "Newest first"
    _save(driver, shots, "search-sorted-newest.png")

    # statistics with the filter form: choose a country, count again
    driver.get(server + "/stats")
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element(By.ID, "country")).select_by_visible_text("United Kingdom")
    driver.find_element(By.CSS_SELECTOR, "form.stats-filters button[type=submit]").click()
    _wait_for(driver, lambda: "country=United+Kingdom" in driver.current_url)
    assert "Remove filter Country: United Kingdom" in driver.page_source
    _save(driver, shots, "stats-filters.png")

    # a phone: the filters are reachable from the top of the results, and narrow them
    driver.set_window_size(390, 844)
    driver.get(server + "/search?q=youth+crime")
    jump = driver.find_element(By.CSS_SELECTOR, "a.jump-to-filters")
    assert jump.is_displayed()
    top = driver.execute_script("return arguments[0].getBoundingClientRect().top", jump)
    assert 0 <= top < 844, top  # on the first screen, above the hits
    first_hit = driver.find_element(By.CSS_SELECTOR, "ol.hits li.hit")
    assert top < driver.execute_script("return arguments[0].getBoundingClientRect().top", first_hit)
    _save(driver, shots, "search-phone-filters-link.png")
    jump.click()
    _wait_for(driver, lambda: driver.current_url.endswith("#facets-heading"))
    heading = driver.find_element(By.ID, "facets-heading")
    in_view = driver.execute_script(
        "const r = arguments[0].getBoundingClientRect(); return r.top > -2 && r.top < innerHeight",
        heading,
    )
    assert in_view
    # the kinds of filter are one tap apart: straight to the countries
    driver.find_element(By.CSS_SELECTOR, "nav.facet-jumps a[href='#facet-country']").click()
    _wait_for(driver, lambda: driver.current_url.endswith("#facet-country"))
    _save(driver, shots, "search-phone-filters.png")
    country = driver.find_element(
        By.XPATH,
        "//section[@class='facet'][h3='Country']//a[starts-with(normalize-space(.), 'United Kingdom')]",
    )
    country.click()
    _wait_for(driver, lambda: "country=United+Kingdom" in driver.current_url)
    assert driver.execute_script("return document.documentElement.scrollWidth") <= 390
    places = [p.text for p in driver.find_elements(By.CSS_SELECTOR, "ol.hits li.hit > p.meta")]
    assert places and all("United Kingdom" in place for place in places)
    _save(driver, shots, "search-phone-narrowed.png")
