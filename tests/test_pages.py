"""The pages, fetched over HTTP from a real ``newssearch serve`` on loopback.

What a browser is sent: the search page and the article page with what
they must show, every state in the address, the security headers on every
HTML answer, hostile article fields escaped (never a live tag, never a
``javascript:`` link), errors as pages with their status, the proxy's path
prefix in every link, and the read token guarding the pages too. What a
browser does with them is tests/test_pages_browser.py's.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from newssearch.model import Snippet
from newssearch.web.headers import CONTENT_SECURITY_POLICY
from newssearch.web.views import marked, safe_url
from tests.pages_index import (
    BAD_URL,
    IMG_TITLE,
    SCRIPT_TITLE,
    STORY_OUTLETS,
    build_pages_index,
)
from tests.webserver import Served

TOKEN = "pages-read-token-0123456789abcdef"


@pytest.fixture(scope="module")
def pages_index(tmp_path_factory) -> Path:
    return build_pages_index(tmp_path_factory.mktemp("pages") / "ix")


@pytest.fixture(scope="module")
def server(pages_index):
    with Served(pages_index) as served:
        yield served


def _page(server: Served, path: str, params=None, status: int = 200) -> str:
    answer = server.get(path, params)
    assert answer.status == status, answer
    assert answer.headers["content-type"].startswith("text/html"), answer.headers
    assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "no-referrer"
    return answer.body.decode("utf-8")


def _hrefs(body: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'(?:href|src|action)="([^"]*)"', body)]


def test_the_policy_forbids_inline_scripts_and_other_hosts():
    policy = dict(part.strip().split(" ", 1) for part in CONTENT_SECURITY_POLICY.split(";"))
    assert policy["script-src"] == "'self'" and "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert policy["default-src"] == "'self'" and policy["object-src"] == "'none'" and policy["base-uri"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"


def test_the_front_page_is_a_form_with_a_labelled_query_box(server):
    body = _page(server, "/")
    assert '<label for="q">' in body and 'id="q" name="q"' in body
    assert 'action="/search"' in body and 'class="hit"' not in body
    assert 'class="skip" href="#main"' in body
    # nothing from another host
    assert all(not h.startswith(("http:", "https:", "//")) for h in _hrefs(body))


def test_results_show_marked_headlines_snippets_facets_and_the_timeline(server):
    body = _page(server, "/search", {"q": "ferries"})
    assert "<mark>ferries</mark>" in body.lower() or "<mark>Ferries</mark>" in body
    assert 'class="summary"' in body and "of 9 stories" in body
    assert "<svg" in body and "<desc" in body and "stories per week" in body
    assert 'href="/search?q=ferries&amp;source=Ferry+News"' in body  # a facet adds its filter
    assert 'href="https://ferries.example.com/day-2"' in body  # the original
    assert re.search(r'href="/article/[0-9a-f]{16}\?q=ferries"', body)


@pytest.mark.parametrize(("params", "chosen"), [
    ({"q": "ferries"}, 0),
    ({"q": "ferries", "sort": "relevance", "match": "all"}, 0),
    ({"q": "ferries", "sort": "date"}, 1),
    ({"q": "ferries", "since": "2021-01-01", "tz": "Europe/Lisbon", "match": "any"}, 3),
])
def test_the_filters_are_shown_open_when_any_is_chosen(server, params, chosen):
    # a sort or a filter hidden in a closed box is a page whose order or
    # count the reader cannot explain
    body = _page(server, "/search", params)
    assert ('<details class="filters" open>' in body) is bool(chosen)
    assert ("Filters and sort (%d chosen)" % chosen in body) is bool(chosen)


def test_a_facet_link_filters_and_shows_a_chip_that_removes_it(server):
    body = _page(server, "/search", {"q": "strike", "section": "transport"})
    assert "section: transport" in body
    assert 'href="/search?q=strike"' in body  # the chip's removal keeps the query, drops the filter
    assert "Ferry News" in body and "Harbour Wire" not in body


def test_pages_link_back_and_forth_and_keep_the_search(server):
    first = _page(server, "/search", {"q": "ferries", "size": "3", "sort": "date"})
    assert 'aria-current="page">1<' in first
    assert 'href="/search?q=ferries&amp;size=3&amp;sort=date&amp;page=2" rel="next"' in first
    third = _page(server, "/search", {"q": "ferries", "size": "3", "sort": "date", "page": "3"})
    assert 'aria-current="page">3<' in third and 'rel="prev"' in third
    assert third.count('class="hit"') == 3 and '<ol class="hits" start="7">' in third


def test_copies_open_under_the_hit_and_on_the_article_page(server):
    body = _page(server, "/search", {"q": "crane drivers"})
    assert body.count('class="hit"') == 1
    details = body[body.index('<details class="copies">'):]
    assert "also: 1 more outlet (" in details
    other = next(o for o in STORY_OUTLETS if o in details[: details.index("</details>")])
    article_id = re.search(r'href="/article/([0-9a-f]{16})', details).group(1)
    page = _page(server, f"/article/{article_id}")
    story = page[page.index('id="copies"'):page.index('id="sim"')]
    shown = next(o for o in STORY_OUTLETS if o != other)
    assert shown in story and other not in story


def test_hostile_fields_are_text_and_a_javascript_url_is_no_link(server):
    body = _page(server, "/search", {"q": "strike", "size": "20"})
    for payload in (SCRIPT_TITLE, IMG_TITLE):
        assert payload not in body
    assert "&lt;script&gt;window.pwned=" in body and "&lt;img src=x onerror=" in body
    assert "<script>window" not in body and "<img" not in body and "<b>Bold" not in body and "<i>AP" not in body
    assert all(not h.lower().startswith("javascript:") for h in _hrefs(body))
    article_id = re.search(r'href="/article/([0-9a-f]{16})[^"]*">[^<]*&lt;script', body).group(1)
    page = _page(server, f"/article/{article_id}")
    assert f"{BAD_URL} (not a web address: not linked)" in html.unescape(page)
    assert all(not h.lower().startswith("javascript:") for h in _hrefs(page))
    assert "<script>window" not in page


def test_the_article_page_shows_the_whole_article_its_provenance_and_similar_stories(server):
    body = _page(server, "/search", {"q": "ferries halted"})
    article_id = re.search(r'href="/article/([0-9a-f]{16})', body).group(1)
    page = _page(server, f"/article/{article_id}", {"tz": "Europe/Lisbon"})
    assert "Strike update number 2: the ferries halted" in page
    assert "Where this comes from" in page and "WET" in page  # the date in the reader's zone
    assert page.count('href="/article/') >= 3 and "tz=Europe%2FLisbon" in page
    explained = _page(server, f"/article/{article_id}", {"q": "ferries halted", "explain": "1"})
    assert "Why it matches" in explained and "<td>halt</td>" in explained or "<td>halted</td>" in explained


def test_did_you_mean_and_the_fallback_are_links(server):
    body = _page(server, "/search", {"q": "ferreis"})
    assert re.search(r'Did you mean <a href="/search\?q=ferries">ferries</a>', body)
    fallback = _page(server, "/search", {"q": "ferries zeppelin"})
    assert "No article has every word of" in fallback and 'href="/search?q=ferries+zeppelin&amp;match=any"' in fallback


@pytest.mark.parametrize(("params", "status", "words"), [
    ({"q": "strike", "since": "the day after never"}, 400, "cannot read 'the day after never' as a date"),
    ({"q": "strike", "sort": "best"}, 400, "unknown sort"),
    ({"q": "strike", "colour": "red"}, 400, "unknown parameter 'colour'"),
    ({"q": "strike", "tz": "Mars/Olympus"}, 400, "Mars/Olympus"),
])
def test_a_bad_search_is_a_page_with_the_message_and_400(server, params, status, words):
    body = _page(server, "/search", params, status=status)
    message = re.search(r'class="error" role="alert">.*?<p>(.*?)</p>', body, re.DOTALL).group(1)
    assert words in html.unescape(message), message
    assert 'id="q" name="q" type="search" value="strike"' in body  # the form keeps the query to fix


def test_an_unknown_article_is_a_404_page(server):
    body = _page(server, "/article/ffffffffffffffff", status=404)
    assert "no article with id" in body


def test_the_stylesheet_is_served_and_no_traceback_reaches_a_page(server):
    answer = server.get("/static/style.css")
    assert answer.status == 200 and answer.headers["content-type"].startswith("text/css")
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "Traceback" not in server.stderr()


def test_under_a_path_prefix_every_link_and_form_starts_with_it(pages_index):
    with Served(pages_index, "--root-path", "/news/") as served:
        body = _page(served, "/search", {"q": "ferries"})
        hrefs = [h for h in _hrefs(body) if not h.startswith(("http", "#", "data:"))]
        assert hrefs and all(h.startswith("/news/") for h in hrefs), [h for h in hrefs if not h.startswith("/news/")]
        assert 'action="/news/search"' in body and 'href="/news/static/style.css"' in body
        assert served.get("/static/style.css").status == 200


def test_with_a_read_token_the_pages_need_it_and_carry_it(pages_index):
    with Served(pages_index, env={"NEWSSEARCH_READ_TOKEN": TOKEN}) as served:
        assert served.get("/search", {"q": "ferries"}).status == 401
        assert served.get("/", {"token": "wrong-token-wrong-token"}).status == 401
        body = _page(served, "/search", {"q": "ferries", "token": TOKEN})
        assert f'name="token" value="{TOKEN}"' in body
        assert re.search(rf'href="/article/[0-9a-f]{{16}}\?q=ferries&amp;token={TOKEN}"', body)
        assert served.get("/static/style.css").status == 200


def test_marked_escapes_every_piece_and_safe_url_takes_only_the_web():
    snippet = Snippet("<b>x</b> strike <i>", ((9, 15),))
    assert str(marked(snippet)) == "&lt;b&gt;x&lt;/b&gt; <mark>strike</mark> &lt;i&gt;"
    assert str(marked(None, "<script>")) == "&lt;script&gt;"
    assert safe_url("https://example.com/a") == "https://example.com/a"
    for bad in ("javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "//evil.example", "http:///x", None, ""):
        assert safe_url(bad) is None, bad


def test_a_search_page_offers_its_feed_its_downloads_and_the_engine_to_a_browser(server):
    body = _page(server, "/search", {"q": "ferries", "size": "3", "page": "2", "by": "month"})
    links = _hrefs(body)
    assert "/opensearch.xml" in links  # <link rel="search">: a browser can add the engine
    feed = next(h for h in links if h.startswith("/feed?"))
    assert feed == "/feed?q=ferries"  # the query and its filters, not the page's paging or chart
    assert 'rel="alternate" type="application/atom+xml"' in body
    answer = server.get(feed)
    assert answer.status == 200 and answer.headers["content-type"].startswith("application/atom+xml")
    for path in ("/api/search.csv?q=ferries", "/api/search.jsonl?q=ferries"):
        assert path in links
        assert server.get(path).status == 200


def test_the_language_is_a_facet_and_a_filter_on_the_page_and_in_the_api(server):
    body = _page(server, "/search", {"q": "ferries"})
    assert "Language" in body and 'href="/search?q=ferries&amp;lang=en"' in body
    filtered = _page(server, "/search", {"q": "ferries", "lang": "en"})  # the fixture's articles are built in code: one has a language
    assert "language: en" in filtered and "of 1 story" in filtered
    # the headline and snippet say their language and take their direction from their text
    # (an Arabic headline sat left-aligned), so that a browser picks the script's fonts and reads it right to left
    assert '<h2 dir="auto" lang="en">' in filtered and '<p class="snippet" dir="auto" lang="en">' in filtered
    assert '<h2 dir="auto"><a' in body  # no language known: the direction alone
    assert "No results" in _page(server, "/search", {"q": "ferries", "lang": "bg"})
    assert server.get("/api/search", {"q": "ferries", "lang": "bg"}).json()["total"] == 0
    assert server.get("/api/search", {"q": "ferries", "lang": "xx-nonsense"}).status == 400


BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def test_a_browser_refused_outside_the_api_is_shown_a_page_and_a_program_json(server, pages_index):
    lost = server.get("/no/such/page", headers=BROWSER)
    assert lost.status == 404 and lost.headers["content-type"].startswith("text/html")
    assert "Not found" in lost.body.decode() and lost.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert server.get("/no/such/page").headers["content-type"].startswith("application/json")  # no Accept: a program
    assert server.get("/api/no-such", headers=BROWSER).headers["content-type"].startswith("application/json")
    with Served(pages_index, env={"NEWSSEARCH_READ_TOKEN": TOKEN}) as served:
        refused = served.get("/search", {"q": "ferries"}, headers=BROWSER)
        assert refused.status == 401 and refused.headers["content-type"].startswith("text/html")
        assert "needs a token" in refused.body.decode() and TOKEN not in refused.body.decode()
        api = served.get("/api/search", {"q": "ferries"}, headers=BROWSER)
        assert api.status == 401 and api.headers["content-type"].startswith("application/json")
