"""HTML pages, feeds, WARC archives and bad input, on small files of our own
(tests/data/html, tests/data/feeds, WARC files built here with warcio)."""

from __future__ import annotations

import gzip
import io
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

import newssearch as ns
from newssearch.cli import cli
from newssearch.errors import IngestError
from newssearch.errors import IngestNotice
from newssearch.ingest import Notice, ReadOptions, Source, detect_format, read_source
from newssearch.ingest.encoding import decode_markup, gunzip

from tests.helpers import DATA

UTC = timezone.utc
HTML = DATA / "html"
FEEDS = DATA / "feeds"
NOW = datetime(2025, 1, 1, tzinfo=UTC)


def results(path: Path, **kw) -> list:
    return list(read_source(Source(name=str(path), path=path, root=path.parent), ReadOptions.build(now=NOW, **kw)))


def split(items: list) -> tuple[list[ns.Article], list[IngestError], list[Notice]]:
    return (
        [r for r in items if isinstance(r, ns.Article)],
        [r for r in items if isinstance(r, IngestError)],
        [r for r in items if isinstance(r, Notice)],
    )


# --- HTML ------------------------------------------------------------------------


def test_html_page_body_and_metadata():
    (a,), errors, notices = split(results(HTML / "harbour-tunnel.html"))
    assert not errors and not notices
    assert a.title == "Harbour tunnel opens a year late"
    assert a.published == datetime(2024, 3, 14, 7, 15, tzinfo=UTC) and not a.tz_assumed
    assert a.date_source == "jsonld"
    assert a.authors == ("Marta Lindqvist", "Jonas Ek")
    assert (a.source, a.section, a.language) == ("Northbay Courier", "City", "en")
    assert a.url == "https://courier.example.org/city/2024/03/14/harbour-tunnel-opens"
    assert a.body.startswith("The road tunnel under Northbay harbour opened")
    assert a.body.endswith("two euros per crossing.")
    for chrome in ("Share on Facebook", "Related stories", "Ferry timetable", "Took them long enough", "All rights reserved", "Privacy", "Sport"):
        assert chrome not in a.body, chrome


def test_gzipped_html_reads_like_the_page():
    assert detect_format(Source(name="x", path=HTML / "harbour-tunnel.html.gz")) == "html"
    (plain,) = ns.read_path(HTML / "harbour-tunnel.html")
    (gz,) = ns.read_path(HTML / "harbour-tunnel.html.gz")
    assert gz.body == plain.body and gz.id == plain.id


def test_truncated_gzip_is_read_as_far_as_it_goes(tmp_path):
    data = gzip.compress((HTML / "harbour-tunnel.html").read_bytes())
    cut = tmp_path / "cut.html.gz"
    cut.write_bytes(data[: len(data) * 3 // 4])
    articles, errors, notices = split(results(cut))
    assert len(articles) == 1 and not errors
    assert any("truncated gzip" in str(n) and str(n).startswith(str(cut)) for n in notices)
    assert gunzip(b"\x1f\x8b not gzip at all", 1000)[1]


def test_date_sources_in_order_of_trust(tmp_path):
    def page(head: str, body: str = "", url_path: str = "x") -> ns.Article:
        p = tmp_path / f"{url_path}.html"
        text = " ".join(["The council agreed the budget for the coming year after a long debate."] * 4)
        p.write_text(
            f'<html><head><title>Budget agreed by the council</title>{head}</head><body>'
            f"<h1>Budget agreed by the council</h1>{body}<p>{text}</p></body></html>"
        )
        (a,) = ns.read_path(p, now=NOW)
        return a

    a = page('<meta property="article:published_time" content="2023-05-12T08:05:00+01:00">')
    assert (a.published, a.date_source, a.tz_assumed) == (datetime(2023, 5, 12, 7, 5, tzinfo=UTC), "meta", False)
    a = page("", '<time datetime="2023-05-12">12 May</time>')
    assert (a.published, a.date_source, a.tz_assumed) == (datetime(2023, 5, 12, tzinfo=UTC), "time-tag", True)
    a = page('<link rel="canonical" href="https://example.org/2021/03/04/budget">')
    assert (a.published, a.date_source) == (datetime(2021, 3, 4, tzinfo=UTC), "url")
    a = page("", '<p class="dateline">Published 12 May 2023 08:05 BST</p>')
    assert (a.published, a.date_source, a.tz_assumed) == (datetime(2023, 5, 12, 7, 5, tzinfo=UTC), "text", False)
    a = page("")
    assert (a.published, a.date_source) == (None, None)


def test_a_future_date_is_not_used_and_the_reason_reported(tmp_path):
    p = tmp_path / "future.html"
    text = " ".join(["The council agreed the budget for the coming year after a long debate."] * 4)
    p.write_text(
        '<html><head><meta property="article:published_time" content="2091-01-01T10:00:00Z">'
        f'<link rel="canonical" href="https://example.org/2023/02/03/budget"></head><body><h1>Budget</h1><p>{text}</p></body></html>'
    )
    (a,), errors, notices = split(results(p))
    assert (a.published, a.date_source) == (datetime(2023, 2, 3, tzinfo=UTC), "url")
    (notice,) = notices
    assert str(notice).startswith(f"{p}: meta date '2091-01-01T10:00:00Z' not used: date 2091-01-01 is in the future")


def test_wrong_encoding_is_detected(tmp_path):
    (a,) = ns.read_path(HTML / "cp1252-page.htm", now=NOW)
    assert a.title == "Café owners welcome rate cut"
    assert "central bank\u2019s decision" in a.body and "\u201cIt is the first good news" in a.body
    assert a.source == "Markets Daily"
    assert (a.published, a.date_source) == (datetime(2023, 5, 12, 7, 5, tzinfo=UTC), "text")
    assert not a.body.startswith("Published")
    # a page that declares UTF-8 but is Windows-1252: no byte stops it
    raw = (HTML / "cp1252-page.htm").read_bytes().replace(b"iso-8859-1", b"utf-8")
    assert "Caf\u00e9" in decode_markup(raw)
    assert decode_markup(bytes(range(256)) * 3)  # any bytes at all


@pytest.mark.parametrize(
    "content, problem",
    [
        (b"", "empty file"),
        (b"<html><head><title>Loading...</title></head></html>", "no article text"),
        (b"<html><body><nav><a href='/'>Home</a> <a href='/w'>World</a></nav></body></html>", "no article text"),
    ],
)
def test_html_without_an_article_is_one_error(tmp_path, content, problem):
    p = tmp_path / "page.html"
    p.write_bytes(content)
    (err,) = results(p)
    assert isinstance(err, IngestError) and problem in err.problem and err.path == str(p)
    assert "\n" not in str(err)


# --- feeds -------------------------------------------------------------------------


def test_rss2_entries_full_content_and_broken_dates():
    articles, errors, notices = split(results(FEEDS / "rss2.xml"))
    assert not errors and len(articles) == 4
    first, second, third, fourth = articles
    assert first.title == "Ferry timetable changes for the winter season"
    assert first.body.startswith("Ferries between the old harbour") and "\n\n" in first.body  # content:encoded, not the summary
    assert (first.source, first.authors, first.section, first.language) == ("Northbay Courier", ("Marta Lindqvist",), "City", "en")
    assert (first.published, first.date_source, first.tz_assumed) == (datetime(2024, 11, 2, 9, 30, tzinfo=UTC), "feed", False)
    assert second.published == datetime(2024, 11, 1, 16, 5, tzinfo=UTC)  # CET
    assert second.body == "The central library will open until nine on weekdays, starting next month."
    assert third.published is None and fourth.published is None
    texts = [str(n) for n in notices]
    assert any("entry 3: unreadable date 'sometime last week'" in t for t in texts)
    assert any("entry 4: feed date 'Tue, 02 Nov 2094 10:00:00 GMT' not used: date 2094-11-02 is in the future" in t for t in texts)


def test_atom_feed():
    articles, errors, _ = split(results(FEEDS / "atom.xml"))
    assert not errors
    a, b = articles
    assert a.url == "https://energy.example.net/2024/10/09/last-turbine"
    assert a.published == datetime(2024, 10, 9, 9, 20, tzinfo=UTC)  # published, not updated
    assert a.body.startswith("The offshore wind farm") and "Short summary" not in a.body
    assert (a.source, a.authors) == ("Energy Desk", ("Jonas Ek",))
    # the feed says xml:lang="de" over English entries: the text overrules it (issue 22)
    assert (a.language, a.language_source) == ("en", "detected")
    assert b.published == datetime(2024, 10, 8, 7, 0, tzinfo=UTC)  # only <updated>
    assert b.body.startswith("The grid operator wants")


def test_rss1_latin1_and_rss091():
    (a,) = ns.read_path(FEEDS / "rss1.rdf")
    assert a.source == "Markets Daily" and "café owners" in a.body
    assert a.published == datetime(2024, 10, 14, 15, 40, tzinfo=UTC)
    (b,) = ns.read_path(FEEDS / "rss091.xml")
    assert (b.title, b.source, b.published) == ("Harbour crane returns to service", "Old Wire", None)


def test_feed_detection_by_content(tmp_path):
    p = tmp_path / "feed.xml"
    p.write_bytes((FEEDS / "atom.xml").read_bytes())
    assert detect_format(Source(name="f", path=p)) == "feed"
    q = tmp_path / "feed"
    q.write_bytes((FEEDS / "rss2.xml").read_bytes())
    assert detect_format(Source(name="f", path=q)) == "feed"


def test_a_character_reference_to_a_surrogate_costs_no_entry(tmp_path):
    """feedparser encodes every character reference it reads: one
    ``&#xD800;`` in a title lost the whole file (issue 26)."""
    p = tmp_path / "feed.xml"
    p.write_bytes(
        (FEEDS / "rss2.xml").read_bytes().replace(b"<title>", b"<title>Bad &#xD800; &#1114112; ", 2)
    )
    articles, errors, _ = split(results(p))
    assert not errors
    assert len(articles) == len(split(results(FEEDS / "rss2.xml"))[0])
    assert "\ufffd" in articles[0].title or "\ufffd" in articles[0].source


def test_truncated_and_empty_feeds():
    articles, errors, notices = split(results(FEEDS / "truncated.rss"))
    assert [a.title for a in articles] == ["Half an item"]
    assert any("not well-formed" in str(n) for n in notices)


def test_not_a_feed_at_all(tmp_path):
    p = tmp_path / "x.rss"
    p.write_text("<rss><channel><title>t</title></channel></rss>")
    (err,) = results(p)
    assert isinstance(err, IngestError) and "no entries" in str(err)


# --- WARC ----------------------------------------------------------------------------


def _warc(path: Path, records: list[tuple[str, str, bytes, str]], gz: bool = True) -> Path:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=gz)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "newssearch tests"}))
        for url, ctype, body, status in records:
            writer.write_record(writer.create_warc_record(url, "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n")))
            http = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http))
    return path


@pytest.fixture
def crawl(tmp_path) -> Path:
    page = (HTML / "harbour-tunnel.html").read_bytes()
    latin = (HTML / "cp1252-page.htm").read_bytes()
    return _warc(
        tmp_path / "crawl.warc.gz",
        [
            ("https://courier.example.org/a", "text/html; charset=utf-8", page, "200 OK"),
            ("https://courier.example.org/logo.png", "image/png", b"\x89PNG\r\n\x1a\n....", "200 OK"),
            ("https://markets.example.com/cafe", "text/html", latin, "200 OK"),
            ("https://courier.example.org/gone", "text/html", b"<html><body>Not found</body></html>", "404 Not Found"),
            ("https://courier.example.org/empty", "text/html", b"<html><head><title>x</title></head><body></body></html>", "200 OK"),
        ],
    )


def test_warc_pages_become_articles_and_other_records_are_counted(crawl):
    assert detect_format(Source(name="c", path=crawl)) == "warc"
    articles, errors, notices = split(results(crawl))
    assert [a.title for a in articles] == ["Harbour tunnel opens a year late", "Café owners welcome rate cut"]
    assert articles[1].url == "https://markets.example.com/cafe" and articles[1].source == "Markets Daily"
    (err,) = errors
    assert str(err).startswith(f"{crawl}: record 11 https://courier.example.org/empty: no article text")
    (skipped,) = [n for n in notices if "skipped" in n.message]
    assert "skipped 8 of 11 records" in str(skipped)
    assert "5 request" in str(skipped) and "1 response image/png" in str(skipped) and "1 HTTP 404" in str(skipped)


def test_uncompressed_and_truncated_warc(tmp_path):
    page = (HTML / "harbour-tunnel.html").read_bytes()
    plain = _warc(tmp_path / "one.warc", [("https://courier.example.org/a", "text/html", page, "200 OK")], gz=False)
    (a,) = ns.read_path(plain, on_notice=lambda n: None)
    assert a.title == "Harbour tunnel opens a year late"
    cut = tmp_path / "cut.warc"
    cut.write_bytes(plain.read_bytes()[:1600])
    _, _, notices = split(results(cut))
    assert any("record 3 is truncated" in str(n) for n in notices)
    gz = _warc(tmp_path / "two.warc.gz", [("https://a.example/1", "text/html", page, "200 OK"), ("https://a.example/2", "text/html", page, "200 OK")])
    data = gz.read_bytes()
    cutgz = tmp_path / "cut.warc.gz"
    cutgz.write_bytes(data[: len(data) - 300])
    articles, _, notices = split(results(cutgz))
    assert len(articles) == 2  # the cut page is read as far as it goes, and said to be cut
    assert any("record 5 is truncated" in str(n) for n in notices)
    seen: list[Notice] = []
    (a,) = ns.read_path(_warc(tmp_path / "three.warc.gz", [("https://a.example/1", "text/html", page, "200 OK")]), on_notice=seen.append)
    assert [n.message for n in seen] == ["skipped 2 of 3 records that are not HTML pages (1 warcinfo, 1 request)"]
    assert a.url == "https://courier.example.org/city/2024/03/14/harbour-tunnel-opens"


@pytest.mark.parametrize("content, problem", [(b"this is not an archive\n", "not a WARC archive"), (b"", "empty file")])
def test_not_a_warc(tmp_path, content, problem):
    p = tmp_path / "x.warc"
    p.write_bytes(content)
    (err,) = results(p)
    assert isinstance(err, IngestError) and err.path == str(p) and problem in err.problem


# --- the notice channel and the CLI -----------------------------------------------------


def test_read_path_passes_notices_or_warns():
    seen: list[Notice] = []
    list(ns.read_path(FEEDS / "rss2.xml", now=NOW, on_notice=seen.append))
    assert len(seen) == 2
    with pytest.warns(IngestNotice):
        list(ns.read_path(FEEDS / "rss2.xml", now=NOW))


def test_cli_indexes_a_folder_mixing_formats(tmp_path, runner, crawl):
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    for p in [HTML / "harbour-tunnel.html.gz", FEEDS / "atom.xml", FEEDS / "rss2.xml", crawl, DATA / "rows.csv"]:
        (mixed / p.name).write_bytes(p.read_bytes())
    result = runner.invoke(cli, ["index", str(mixed), "--index", str(tmp_path / "ix"), "--json"])
    assert "Traceback" not in result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning: ")]
    assert any("rss2.xml: entry 3: unreadable date" in w for w in warnings)
    assert any("crawl.warc.gz: skipped 8 of 11 records" in w for w in warnings)
    assert "warnings (dates not used" in result.stderr
    report = json.loads(result.stdout)
    assert report["warnings"] == len(warnings)
    assert result.exit_code == 3  # the empty page in the archive and the bad CSV row are errors
    with ns.open_index(tmp_path / "ix") as ix:
        sources = ix.stats().outlets
    assert {"Northbay Courier", "Energy Desk", "Markets Daily"} <= set(sources)


@pytest.mark.parametrize("name", ["x.html", "x.rss", "x.warc", "x.sgm", "x.html.gz", "x"])
def test_any_bytes_give_articles_errors_or_notices_never_an_exception(tmp_path, name):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    prefixes = [b"", b"<html><body><p>", b"<?xml version='1.0'?><rss><channel><item><title>", b"WARC/1.0\r\n", b"\x1f\x8b", b"*TEXT 1 01/02/63\n"]

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(prefix=st.sampled_from(prefixes), data=st.binary(max_size=300))
    def check(prefix, data):
        p = tmp_path / name
        p.write_bytes(prefix + data)
        for r in results(p):
            assert isinstance(r, (ns.Article, IngestError, Notice))
            if not isinstance(r, ns.Article):
                assert str(r).startswith(str(p)) and "\n" not in str(r)

    check()


WIRE = "-- Oil story {name}\n-- By  Jane Doe\n-- {date}\n-- http://www.example.com/article/{name}\n\n \nOil prices rose on Monday as OPEC met in Vienna.\n"


def test_every_dropped_date_is_reported_with_its_file_and_line(tmp_path):
    """The README's promise: a date not used is one warning saying which and
    why, in every format, through on_notice (and the CLI's Warning: lines)."""
    wire = tmp_path / "wire"
    wire.mkdir()
    for name, date in [("bad", "Fri Feb 30, 2007 25:61pm EST"), ("y2029", "Mon Jun 18, 2029 1:49pm EDT"), ("ok", "Mon Jun 18, 2007 1:49pm EDT")]:
        (wire / name).write_text(WIRE.format(name=name, date=date))
    (tmp_path / "recs.jsonl").write_text(
        json.dumps({"title": "Bad", "body": "Oil one", "date": "Feb 30, 2007 25:61pm EST"}) + "\n"
        + json.dumps({"title": "Future", "body": "Oil two", "date": "2031-01-01"}) + "\n"
        + json.dumps({"title": "Good", "body": "Oil three", "date": "2007-06-18T13:49:00Z"}) + "\n"
    )
    (tmp_path / "recs.csv").write_text('title,body,date\nCSV,Oil text,"Fri Feb 30, 2007 1:01pm EST"\n')
    (tmp_path / "plain.txt").write_text("Oil story in plain text\nPublished Fri Feb 30, 2007 1:01pm EST\n\nOil prices rose as OPEC met in Vienna and more.\n")
    seen: list[Notice] = []
    articles = list(ns.read_path(tmp_path, now=NOW, on_notice=seen.append))
    assert len(articles) == 8 and sum(a.published is None for a in articles) == 6
    where = sorted((Path(n.path or "").name, n.line) for n in seen)
    assert where == [("bad", 3), ("plain.txt", None), ("recs.csv", 2), ("recs.jsonl", 1), ("recs.jsonl", 2), ("y2029", 3)]
    assert all("not used" in n.message and "kept without it" in n.message for n in seen)
    assert sum("in the future" in n.message for n in seen) == 2
    assert sum("no such day or time" in n.message for n in seen) == 4
