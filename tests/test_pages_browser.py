"""The pages in a real browser: Debian's Chromium, headless, driven by Selenium through chromedriver.

A person's path through the app: type a query and submit it, see the
results, page on, click a facet, open a story's copies and an article. On
every page: no script from a hostile headline ran (each payload would set
``window.pwned``; no alert is open), the console shows no error (the
policy forbidding inline scripts would log one for any inline script the
pages carried), and the small script the pages do carry (the reader's
zone) ran. Screenshots at desktop and phone width go to
``/tmp/pages-shots/`` for a person to look at.

Skipped where Chromium or its driver is not installed (``apt-get install
chromium chromium-driver``); under CI (``CI=true``) their absence fails.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

import newssearch as ns
from tests.pages_index import IMG_TITLE, STORY_OUTLETS, build_pages_index
from tests.webserver import Served

#: Seconds each: Chromium starts, and every page is loaded, drawn and screenshot at two widths.
pytestmark = pytest.mark.slow

SHOTS = Path("/tmp/pages-shots")
#: The zone the browser runs in: the pages' script puts it in the search form.
BROWSER_ZONE = "Asia/Tokyo"

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait


def _browser_paths() -> tuple[str, str]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not (chromium and driver):
        message = "Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)"
        if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
            pytest.fail(message + " (required under CI)")
        pytest.skip(message)
    return chromium, driver


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Served]:
    with Served(build_pages_index(tmp_path_factory.mktemp("browser") / "ix")) as served:
        yield served


#: The write token of the server the saved searches' page is tried on.
WRITE_TOKEN = "browser-write-token-0123456789abcdef"


@pytest.fixture(scope="module")
def writable(tmp_path_factory) -> Iterator[Served]:
    """A server with writes on, over an index whose saved search has alerts, a hostile headline among them."""
    where = build_pages_index(tmp_path_factory.mktemp("browser-saved") / "ix")
    with ns.open_index(where) as ix:
        ix.saved.add("port strikes", "strike port")
        ix.add([ns.Article(title=f"Port strike, day {n}: {IMG_TITLE if n == 2 else 'pickets stay'}", body="The port strike went on at the docks.",
                           url=f"https://docks.example.com/{n}", source="Dock Wire", published=datetime(2024, 12, n, 8, tzinfo=timezone.utc))
                for n in range(1, 4)])
    with Served(where, env={"NEWSSEARCH_WRITE_TOKEN": WRITE_TOKEN}) as served:
        yield served


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium, driver_path = _browser_paths()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = webdriver.ChromeService(executable_path=driver_path, env={**os.environ, "TZ": BROWSER_ZONE})
    driver = webdriver.Chrome(options=options, service=service)
    driver.implicitly_wait(5)
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


def _clean(driver: Any) -> None:
    """Nothing hostile ran on this page and the console has no error."""
    assert driver.execute_script("return typeof window.pwned") == "undefined"
    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.text  # noqa: B018 - reading it is the check
    errors = [entry for entry in driver.get_log("browser") if entry["level"] in ("SEVERE", "ERROR")]
    assert not errors, errors


def _arrive(driver: Any, fragment: str) -> None:
    """Wait until the browser is at an address holding ``fragment`` (a click navigates in its own time)."""
    WebDriverWait(driver, 10).until(lambda d: fragment in d.current_url and d.execute_script("return document.readyState") == "complete")


def _shots(driver: Any, name: str, phone: int = 375) -> None:
    for width, height in ((1280, 900), (phone, 812)):
        driver.set_window_size(width, height)
        driver.save_screenshot(str(SHOTS / f"{name}-{width}.png"))
        if width == phone:  # nothing wider than the phone's screen: no sideways scrolling
            overflow = driver.execute_script("return document.documentElement.scrollWidth")
            assert overflow <= phone, f"{name} is {overflow} px wide at {phone} px"
    driver.set_window_size(1280, 900)


def test_a_person_searches_pages_on_filters_and_opens_copies(browser, server):
    base = f"http://127.0.0.1:{server.port}"
    browser.get(base + "/")
    _clean(browser)
    # keyboard first: the first Tab reaches the skip link
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    assert browser.switch_to.active_element.get_attribute("class") == "skip"
    box = browser.find_element(By.ID, "q")
    assert browser.find_element(By.CSS_SELECTOR, "label[for=q]").text == "Search the news"
    box.send_keys("strike", Keys.ENTER)
    _arrive(browser, "q=strike")
    hits = browser.find_elements(By.CSS_SELECTOR, "li.hit")
    assert len(hits) == 10
    assert "tz=Asia%2FTokyo" in browser.current_url  # the script gave the form the browser's zone
    assert "JST" in hits[0].find_element(By.TAG_NAME, "time").text
    assert "<script>window.pwned" in browser.find_element(By.CSS_SELECTOR, ".hits").text  # shown as text
    assert browser.find_elements(By.CSS_SELECTOR, "mark")
    _clean(browser)
    _shots(browser, "search")

    browser.find_element(By.CSS_SELECTOR, "a[rel=next]").click()
    _arrive(browser, "page=2")
    assert browser.find_element(By.CSS_SELECTOR, "[aria-current=page]").text == "2"
    _clean(browser)

    browser.find_element(By.LINK_TEXT, "Ferry News").click()
    _arrive(browser, "source=Ferry+News")
    assert "page=" not in browser.current_url
    sources = {e.text for e in browser.find_elements(By.CSS_SELECTOR, "li.hit .source")}
    assert sources == {"Ferry News"}
    assert "outlet: Ferry News" in browser.find_element(By.CSS_SELECTOR, ".chips").text
    _clean(browser)

    box = browser.find_element(By.ID, "q")
    box.clear()
    box.send_keys("crane drivers", Keys.ENTER)
    _arrive(browser, "q=crane+drivers")
    browser.find_element(By.CSS_SELECTOR, ".chips a").click()  # the outlet filter stays with a new query: remove it
    WebDriverWait(browser, 10).until(lambda d: "source=" not in d.current_url)
    copies = browser.find_element(By.CSS_SELECTOR, "details.copies")
    copies.find_element(By.TAG_NAME, "summary").click()
    link = copies.find_element(By.CSS_SELECTOR, "ul a")
    assert link.is_displayed()
    link.click()
    _arrive(browser, "/article/")
    story = browser.find_element(By.CSS_SELECTOR, "section.story").text
    assert any(outlet in story for outlet in STORY_OUTLETS)
    _clean(browser)
    _shots(browser, "article")


def test_a_hostile_article_page_runs_nothing(browser, server):
    base = f"http://127.0.0.1:{server.port}"
    browser.get(base + "/search?q=hostile+strike+headline")
    browser.find_element(By.CSS_SELECTOR, "li.hit h2 a").click()
    _arrive(browser, "/article/")
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("<script>")
    # asked of the page itself: find_elements would wait out the implicit wait for the none expected
    assert browser.execute_script("return document.querySelectorAll('a[href^=\"javascript\" i]').length") == 0
    assert browser.execute_script("return document.querySelectorAll('a[href]').length") > 3
    _clean(browser)
    browser.get(base + "/search?q=strike&since=never+ever")
    assert "cannot read" in browser.find_element(By.CSS_SELECTOR, ".error").text
    # the 400 itself is logged by the browser as a failed load: read it away, then check the page ran nothing
    browser.get_log("browser")
    assert browser.execute_script("return typeof window.pwned") == "undefined"
    _shots(browser, "error")


def test_typing_offers_completions_from_the_index(browser, server):
    base = f"http://127.0.0.1:{server.port}"
    browser.get(base + "/")
    box = browser.find_element(By.ID, "q")
    box.send_keys("ferr")
    options = lambda d: [o.get_attribute("value") for o in d.find_elements(By.CSS_SELECTOR, "#q-suggestions option")]  # noqa: E731
    WebDriverWait(browser, 10).until(lambda d: options(d))
    assert all(o.lower().startswith("ferr") for o in options(browser)), options(browser)
    box.send_keys(Keys.BACKSPACE * 3)  # under two letters: nothing offered
    WebDriverWait(browser, 10).until(lambda d: not options(d))
    _clean(browser)


def test_a_person_signs_in_and_saves_a_search_on_the_saved_page(browser, writable):
    base = f"http://127.0.0.1:{writable.port}"
    browser.get(base + "/")
    browser.find_element(By.ID, "q").send_keys("port", Keys.ENTER)  # the script gives the search the browser's zone
    _arrive(browser, "q=port")
    browser.find_element(By.LINK_TEXT, "Saved searches").click()
    _arrive(browser, "/saved")
    assert "tz=Asia%2FTokyo" in browser.current_url  # the header's link keeps the reader's zone
    alerts = browser.find_elements(By.CSS_SELECTOR, "ol.alerts li")
    assert len(alerts) == 3 and "Dock Wire" in alerts[0].text and "JST" in alerts[0].text
    assert [a.text.split(":")[0] for a in alerts] == ["Port strike, day 3", "Port strike, day 2", "Port strike, day 1"]  # newest first
    assert "<img src=x" in browser.find_element(By.CSS_SELECTOR, "ol.alerts").text  # the hostile headline, as text
    _clean(browser)

    assert browser.find_element(By.CSS_SELECTOR, "label[for=write-token]").text == "Write token"
    browser.find_element(By.ID, "write-token").send_keys(WRITE_TOKEN, Keys.ENTER)
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.ID, "add-name"))
    assert not browser.get_cookie("newssearch_write") or browser.execute_script("return document.cookie") == ""  # HttpOnly: no script sees it
    for field, label in (("add-name", "Name"), ("add-query", "Query"), ("add-source", "Outlet")):
        assert browser.find_element(By.CSS_SELECTOR, f"label[for={field}]").text == label
    browser.find_element(By.ID, "add-name").send_keys("ferry delays")
    browser.find_element(By.ID, "add-query").send_keys("ferries delayed")
    browser.find_element(By.ID, "add-source").send_keys("Ferry News", Keys.ENTER)
    WebDriverWait(browser, 10).until(lambda d: "ferry delays" in d.find_element(By.CSS_SELECTOR, ".saved-list").text)
    listed = browser.find_element(By.CSS_SELECTOR, ".saved-list").text
    assert "'ferries delayed' --source Ferry News" in listed
    assert {s["name"] for s in writable.get("/api/saved").json()["saved"]} == {"port strikes", "ferry delays"}
    _clean(browser)
    _shots(browser, "saved", phone=390)

    browser.find_element(By.CSS_SELECTOR, "button[aria-label='Mark the 3 new alerts of port strikes read']").click()
    WebDriverWait(browser, 10).until(lambda d: not d.find_elements(By.CSS_SELECTOR, "ol.alerts li"))
    assert writable.get("/api/saved/port%20strikes").json()["unread"] == 0
    _clean(browser)
