from datetime import datetime, timedelta, timezone

import pytest

from newssearch.model import Article, Snippet, article_id, normalize_url


def test_id_comes_from_the_url_when_there_is_one():
    a = Article(title="A", body="x", url="HTTPS://Example.COM/story#comments")
    b = Article(title="B", body="y", url="https://example.com/story")
    assert a.id == b.id
    assert len(a.id) == 16


def test_id_without_url_hashes_title_date_and_body():
    when = datetime(2022, 1, 27, tzinfo=timezone.utc)
    a = Article(title="Same", body="Body  text", published=when)
    b = Article(title="Same", body="Body text", published=when)  # whitespace does not matter
    c = Article(title="Same", body="Body text", published=when + timedelta(days=1))
    assert a.id == b.id
    assert a.id != c.id
    assert a.id == article_id(None, "Same", when, "Body text")


def test_published_is_converted_to_utc_and_must_be_aware():
    sofia = timezone(timedelta(hours=2))
    a = Article(title="t", body="b", published=datetime(2022, 1, 27, 15, 34, tzinfo=sofia))
    assert a.published == datetime(2022, 1, 27, 13, 34, tzinfo=timezone.utc)
    assert a.published.utcoffset() == timedelta(0)
    with pytest.raises(ValueError):
        Article(title="t", body="b", published=datetime(2022, 1, 27))


def test_fingerprint_ignores_path_but_not_content():
    a = Article(title="t", body="b", path="one.txt")
    assert a.fingerprint() == a.replace(path="two.txt").fingerprint()
    assert a.fingerprint() != a.replace(body="changed").fingerprint()


def test_normalize_url_keeps_query_drops_fragment():
    assert normalize_url("https://EX.com/a?b=1#c") == "https://ex.com/a?b=1"
    assert normalize_url("not a url") == "not a url"


def test_snippet_parts_and_renderers():
    s = Snippet("the Minsk agreement holds", ((4, 19),))
    assert list(s.parts()) == [("the ", False), ("Minsk agreement", True), (" holds", False)]
    assert s.render("[", "]") == "the [Minsk agreement] holds"
    assert s.to_html() == "the <mark>Minsk agreement</mark> holds"
    assert Snippet("<b>", ((0, 3),)).to_html("em") == "<em>&lt;b&gt;</em>"


def test_reprs_are_short_whatever_the_body():
    # they printed whole bodies: a megabyte in a log line or a traceback
    from newssearch.model import Hit, SearchResults

    body = "word " * 200_000
    a = Article(title="Dam talks stall " * 20, body=body, url="https://ex.com/dam", source="Daily")
    hit = Hit(article=a, score=3.25, snippet=Snippet(body[:240], ((0, 4),)), rank=1)
    results = SearchResults(hits=(hit,) * 7, total=40, query="dam talks", offset=10)
    for text in (repr(a), repr(hit), repr(hit.snippet), repr(results)):
        assert len(text) < 400, text
    assert a.id in repr(a) and "1,000,000 chars" in repr(a) and "Daily" in repr(a)
    assert "rank=1" in repr(hit) and "3.2500" in repr(hit)
    assert repr(results).startswith("SearchResults('dam talks', total=40, hits 11-17: [")
    assert a == a.replace() and a != a.replace(title="Other")  # still compared field by field
