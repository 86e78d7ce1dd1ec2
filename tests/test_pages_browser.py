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
from pathlib import Path
from typing import Any

import pytest

from tests.pages_index import STORY_OUTLETS, build_pages_index
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


def _shots(driver: Any, name: str) -> None:
    for width, height in ((1280, 900), (375, 812)):
        driver.set_window_size(width, height)
        driver.save_screenshot(str(SHOTS / f"{name}-{width}.png"))
        if width == 375:  # nothing wider than the phone's screen: no sideways scrolling
            overflow = driver.execute_script("return document.documentElement.scrollWidth")
            assert overflow <= 375, f"{name} is {overflow} px wide at 375 px"
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
