"""Saved searches and their alerts (newssearch.live.saved).

The alert tests compare what percolation recorded after each indexing
batch with a reference built the slow way: the saved search run over the
whole archive (every copy), restricted to the batch's new articles, in the
order they were added, collapsed against the stories already alerted."""

from __future__ import annotations

import dataclasses
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timedelta, timezone
from itertools import islice
from pathlib import Path

import pytest

import newssearch as ns
from newssearch.search.request import MAX_LIMIT

from tests.helpers import REUTERS, search_json, shared


QUERIES = {
    "oil": ("oil prices", {}),
    "phrase": ('"central bank"', {}),
    "prefix": ("merg*", {}),
    "not": ("shares NOT bank", {}),
    "dated": ("profit", {"since": "2006-10-20", "until": "2006-12-31"}),
    "field": ("title:china", {}),
}


def _matching_ids(ix: ns.NewsIndex, saved: ns.SavedSearch) -> set[str]:
    request = saved.request().replace(all_copies=True, limit=MAX_LIMIT, snippets=False)
    ids: set[str] = set()
    while True:
        page = ix.search(request)
        ids |= {hit.article.id for hit in page.hits}
        if len(page.hits) < request.limit:
            return ids
        request = request.replace(offset=request.offset + request.limit)


class Reference:
    """The alerts each saved search should have raised, computed by full searches."""

    def __init__(self) -> None:
        self.stories: dict[str, set[int]] = {}
        self.ids: dict[str, set[str]] = {}

    def batch(self, ix: ns.NewsIndex, new_ids: list[str]) -> dict[str, list[str]]:
        snapshot = ix.session().snapshot
        story = snapshot.column("story")
        expected: dict[str, list[str]] = {}
        for saved in ix.saved.list():
            matched = _matching_ids(ix, saved)
            stories = self.stories.setdefault(saved.name, set())
            seen = self.ids.setdefault(saved.name, set())
            out = []
            for article_id in sorted(new_ids):  # one commit's alerts come in article-id order
                if article_id not in matched or article_id in seen:
                    continue
                label = int(story[snapshot.docnum_for_id(article_id)])
                if label in stories:
                    continue
                stories.add(label)
                seen.add(article_id)
                out.append(article_id)
            expected[saved.name] = out
        return expected


def _by_saved(alerts: list[ns.Alert]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for alert in alerts:
        out.setdefault(alert.saved, []).append(alert.article_id)
    return out


def _add_batch(ix: ns.NewsIndex, articles: list[ns.Article]) -> tuple[list[str], ns.IndexReport]:
    new: list[str] = []
    with ix.writer() as w:
        for article in articles:
            if w.add(article) in ("added", "updated"):
                new.append(article.id)
    return new, w.report


@pytest.mark.slow  # 1500 Reuters articles in batches
@pytest.mark.shared
def test_alerts_equal_a_full_search_of_each_batch_across_restarts(tmp_path: Path) -> None:
    articles = list(islice(ns.read_path([shared(*REUTERS)]), 1500))
    where = tmp_path / "ix"
    ix = ns.create_index(where)
    ix.add(articles[:300])  # the archive before anything was saved: never alerted
    for name, (query, options) in QUERIES.items():
        ix.saved.add(name, query, **options)
    reference = Reference()
    last = 0
    total_alerts = 0
    for n, start in enumerate(range(300, 1500, 300)):
        if n == 2:  # a restart: a new process would open the index afresh
            ix.close()
            ix = ns.open_index(where)
        new, report = _add_batch(ix, articles[start : start + 300])
        got = _by_saved(ix.saved.alerts(after=last))
        expected = reference.batch(ix, new)
        assert {k: v for k, v in expected.items() if v} == got, f"batch {n}"
        assert report.alerts == sum(len(v) for v in got.values())
        last = max([last] + [a.id for a in ix.saved.alerts(after=last)])
        total_alerts += report.alerts
    assert total_alerts > 50  # the queries match enough of the corpus for the comparison to mean something
    assert reference.stories["oil"] and reference.stories["dated"]
    # wire copies of alerted stories were held back somewhere in the run
    all_matches = sum(len(_matching_ids(ix, s) & {a.id for a in articles[300:]}) for s in ix.saved.list())
    assert all_matches > total_alerts
    ix.close()


def _other_copy(article: ns.Article, **changes: object) -> ns.Article:
    """Another article (its own id, from its URL) with the same text, changed as given."""
    fields = {f.name: getattr(article, f.name) for f in dataclasses.fields(article) if f.name != "id"}
    return ns.Article(**(fields | changes))


def test_a_new_saved_search_alerts_only_on_articles_indexed_after_it(tmp_index, articles) -> None:
    tmp_index.add(articles[:3])
    tmp_index.saved.add("minsk", "minsk")
    assert tmp_index.saved.new("minsk") == []
    copy = _other_copy(articles[0], url="https://example.org/other/minsk", title="Minsk talks resume")
    report = tmp_index.add(copy)
    assert report.alerts == 1
    (alert,) = tmp_index.saved.new("minsk")
    assert alert.article_id == copy.id and alert.title == "Minsk talks resume"
    assert "Minsk" in alert.snippet and alert.url == copy.url
    assert tmp_index.saved.new("minsk") == []  # read
    assert [a.article_id for a in tmp_index.saved.alerts("minsk")] == [copy.id]


def test_copies_of_an_alerted_story_and_updates_are_not_alerted_again(tmp_index, articles) -> None:
    tmp_index.saved.add("minsk", "minsk")
    first = articles[0]
    tmp_index.add(first)
    assert [a.article_id for a in tmp_index.saved.new("minsk")] == [first.id]
    # another outlet's copy of the same story, an hour later
    copy = _other_copy(first, url="https://other.example/minsk", source="Other Daily", published=first.published + timedelta(hours=1))
    assert copy.id != first.id
    # the same article, changed (an update, same id)
    update = dataclasses.replace(first, body=first.body + " Talks continue on Tuesday.")
    assert tmp_index.add(copy).alerts == 0
    assert tmp_index.add(update).updated == 1
    assert tmp_index.saved.new("minsk") == []
    # a different story that matches is alerted
    other = ns.Article(title="Minsk metro extended", body="The Minsk metro opened three new stations on its green line.")
    assert tmp_index.add(other).alerts == 1


def test_relative_dates_are_resolved_when_matched(tmp_index) -> None:
    now = datetime.now(timezone.utc)
    tmp_index.saved.add("recent", "harbour", since="2 days ago")
    fresh = ns.Article(title="Harbour reopens", body="The harbour reopened after the storm.", published=now - timedelta(days=1))
    stale = ns.Article(title="Harbour closes", body="The harbour closed for the storm.", published=now - timedelta(days=5))
    tmp_index.add([fresh, stale])
    assert [a.article_id for a in tmp_index.saved.new("recent")] == [fresh.id]


def test_limit_and_sort_do_not_apply_to_alerts(tmp_index) -> None:
    tmp_index.saved.add("harbour", "harbour", limit=1, sort="date")
    batch = [ns.Article(title=f"Harbour news {i}", body=f"The harbour story number {i} about ships {i * 'x'}.") for i in range(5)]
    tmp_index.add(batch)
    assert len(tmp_index.saved.new("harbour")) == 5
    assert len(tmp_index.saved.run("harbour").hits) == 1


def test_saved_searches_are_kept_checked_and_removed(tmp_index, articles) -> None:
    tmp_index.add(articles)
    saved = tmp_index.saved.add("talks", "minsk OR grain", source=["Example Times"], tz="Europe/Berlin")
    assert saved.options == {"source": ["Example Times"], "tz": "Europe/Berlin", "match": "all"}
    reopened = ns.open_index(tmp_index.path)
    assert [s.name for s in reopened.saved.list()] == ["talks"]
    assert reopened.saved.run("talks").total == tmp_index.search("minsk OR grain", source="Example Times").total > 0
    with pytest.raises(ns.NewsSearchError, match="exists"):
        reopened.saved.add("talks", "other")
    reopened.saved.add("talks", "other", replace=True)
    assert reopened.saved.get("talks").query == "other"
    with pytest.raises(ns.QuerySyntaxError):
        reopened.saved.add("broken", " ".join(["word"] * 101))  # over the query length limit
    with pytest.raises(ns.ConfigError):
        reopened.saved.add("zone", "x", tz="Mars/Olympus")
    with pytest.raises(ns.ConfigError):
        reopened.saved.add("bad\nname", "x")
    reopened.saved.remove("talks")
    assert reopened.saved.list() == []
    with pytest.raises(ns.NewsSearchError, match="no saved search named 'talks'"):
        reopened.saved.new("talks")
    reopened.close()


def test_a_commit_not_yet_matched_is_matched_by_the_next_call(tmp_index, articles) -> None:
    """What a kill between the index's commit and the matching leaves: a
    commit the saved searches have not seen. A writer that does not match
    (ArticleWriter on the store, as a killed process would have left it)
    stands in for it."""
    from newssearch.write.articles import ArticleWriter

    tmp_index.saved.add("minsk", "minsk")
    with ArticleWriter(tmp_index._store) as w:
        w.add(articles[0])
    assert tmp_index.saved.alerts("minsk") == []
    assert [a.article_id for a in tmp_index.saved.new("minsk")] == [articles[0].id]
    assert tmp_index.saved.match_new() == []  # once only


_KILLED_WRITER = textwrap.dedent(
    """
    import sys
    from itertools import islice
    import newssearch as ns
    where, corpus, start, stop = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    articles = list(islice(ns.read_path([corpus]), stop))
    ix = ns.open_index(where)
    for at in range(start, stop, 100):
        ix.add(articles[at : at + 100])
    """
)


@pytest.mark.slow  # SIGKILLed indexing runs over Reuters
@pytest.mark.shared
def test_alerts_are_recorded_exactly_once_across_kill_9(tmp_path: Path) -> None:
    corpus = shared(*REUTERS)
    where = tmp_path / "ix"
    ix = ns.create_index(where)
    for i, (name, (query, options)) in enumerate(QUERIES.items()):
        ix.saved.add(name, query, **options)
    for i in range(60):  # more saved searches, so that matching takes long enough to be killed in
        ix.saved.add(f"extra{i}", f"{['oil', 'bank', 'shares', 'profit', 'market', 'china'][i % 6]} {['year', 'said', 'percent'][i % 3]}")
    ix.close()
    script = tmp_path / "writer.py"
    script.write_text(_KILLED_WRITER)
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    rng = random.Random(12)
    killed = 0
    for attempt in range(3):
        # each run starts where the last one began, so that it has new articles to add
        start, stop = str(attempt * 200), str(attempt * 200 + 500)
        proc = subprocess.Popen([sys.executable, str(script), str(where), str(corpus), start, stop], env=env)
        time.sleep(rng.uniform(2.0, 4.0))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.wait()
        _check_exactly_once(where)
    subprocess.run([sys.executable, str(script), str(where), str(corpus), "0", "900"], env=env, check=True)
    _check_exactly_once(where)
    assert killed >= 2


def _check_exactly_once(where: Path) -> None:
    """After whatever was killed: once the next call has matched, every
    match in the index is alerted once, or is a copy of a story alerted
    (no miss), and nothing is alerted twice or without matching."""
    ix = ns.open_index(where)
    ix.saved.match_new()
    snapshot = ix.session().snapshot
    story = snapshot.column("story")
    alerts = ix.saved.alerts()
    assert len({(a.saved, a.article_id) for a in alerts}) == len(alerts)
    for saved in ix.saved.list():
        mine = [a for a in alerts if a.saved == saved.name]
        assert len({a.story for a in mine}) == len(mine), saved.name
        matched = _matching_ids(ix, saved)
        assert {a.article_id for a in mine} <= matched
        alerted_stories = {a.story for a in mine}
        for article_id in matched:
            assert int(story[snapshot.docnum_for_id(article_id)]) in alerted_stories, (saved.name, article_id)
    ix.close()


# --- the command line -------------------------------------------------------


def test_cli_saved_add_list_new_run_remove(runner, tmp_path: Path, articles) -> None:
    from newssearch.cli import cli

    where = tmp_path / "ix"
    ix = ns.create_index(where)
    ix.add(articles[:2])
    ix.close()
    idx = ["--index", str(where)]
    result = runner.invoke(cli, ["saved", "add", "minsk", "minsk", "talks", "--tz", "Europe/Berlin", *idx])
    assert result.exit_code == 0, result.stderr
    assert "Saved 'minsk'" in result.stderr
    result = runner.invoke(cli, ["saved", "list", "--json", *idx])
    assert [json.loads(line)["query"] for line in result.stdout.splitlines()] == ["minsk talks"]
    src = tmp_path / "more.txt"
    src.write_text("Minsk talks end without a deal\n\nThe talks in Minsk ended on Friday without a deal on the border.\n")
    result = runner.invoke(cli, ["index", str(src), *idx])
    assert result.exit_code == 0 and "1 new alerts" in result.stderr
    result = runner.invoke(cli, ["saved", "new", "minsk", "--json", "--peek", *idx])
    (line,) = result.stdout.splitlines()
    alert = json.loads(line)
    assert alert["saved"] == "minsk" and alert["title"] == "Minsk talks end without a deal"
    assert set(alert) >= {"alert", "matched", "id", "url", "source", "published", "snippet", "story"}
    result = runner.invoke(cli, ["saved", "new", "minsk", *idx])
    assert result.stdout.startswith("[minsk] Minsk talks end without a deal")
    assert runner.invoke(cli, ["saved", "new", "minsk", *idx]).stdout == ""
    result = runner.invoke(cli, ["saved", "run", "minsk", "--json", *idx])
    hits, summary = search_json(result.stdout)  # as search --json: the hits, then the summary line
    assert result.exit_code == 0 and len(hits) == 2 and summary["total"] == 2 and summary["query"] == "minsk talks"
    assert runner.invoke(cli, ["saved", "remove", "minsk", *idx]).exit_code == 0
    result = runner.invoke(cli, ["saved", "run", "minsk", *idx])
    assert result.exit_code == 1 and result.stderr.startswith("Error: no saved search named 'minsk'")
    result = runner.invoke(cli, ["saved", "add", "x", "y", "--since", "not a date at all", *idx])
    assert result.exit_code == 2
    result = runner.invoke(cli, ["saved", "add", "x", "y", "--now", "2020-01-01", *idx])
    assert result.exit_code == 2


@pytest.mark.parametrize("engine", ["auto", "whoosh"])
def test_matching_after_a_seq_sees_only_later_commits(tmp_index, articles, engine) -> None:
    from newssearch.search.results import find_matches

    tmp_index.add(articles[:3])
    after_seq = tmp_index.session().snapshot.last_seq
    tmp_index.add(articles[3:])
    session = tmp_index.session()
    assert session.snapshot.last_seq > after_seq
    for query in ("", "the", '"black sea"'):
        request = ns.SearchRequest.build(query, engine=engine)
        everything = {session.snapshot.stored(int(d))["id"] for d in find_matches(session, request).found[0]}
        later = {session.snapshot.stored(int(d))["id"] for d in find_matches(session, request, added_after=after_seq).found[0]}
        assert later == everything & {a.id for a in articles[3:]}, query
    assert find_matches(session, ns.SearchRequest.build("", engine=engine), added_after=session.snapshot.last_seq).found[0].size == 0


def test_a_rebuild_alerts_only_on_what_it_brings_new(tmp_index, articles) -> None:
    """'index --rebuild' writes every article anew; those it finds
    unchanged keep their ingest sequence, so they are not news."""
    tmp_index.add(articles[:3])
    tmp_index.saved.add("all", "")  # every article matches
    fresh = ns.Article(title="Lighthouse keeper retires", body="The last keeper of the north lighthouse retired on Friday after forty years.")
    with tmp_index.writer(rebuild=True) as w:
        w.add_many(articles[:3] + [fresh])
    assert [a.article_id for a in tmp_index.saved.new("all")] == [fresh.id]
    assert len(tmp_index) == 4


def test_cli_saved_add_before_any_index_creates_it_and_says_so(runner, tmp_path: Path, articles) -> None:
    from newssearch.cli import cli

    where = tmp_path / "live"
    result = runner.invoke(cli, ["saved", "add", "minsk", "minsk", "--index", str(where)])
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[0] == f"Created an empty index at {where} for the articles 'index' or 'follow' add."
    again = runner.invoke(cli, ["saved", "add", "kyiv", "kyiv", "--index", str(where)])
    assert again.exit_code == 0 and "Created" not in again.stderr
    with ns.open_index(where) as ix:
        assert len(ix) == 0 and [s.name for s in ix.saved.list()] == ["kyiv", "minsk"]
        with ix.writer() as w:
            w.add_many(articles)
        found = {h.article.id for h in ix.saved.run("minsk", limit=50).hits}
        assert found and {a.article_id for a in ix.saved.new("minsk")} == found  # alerts from the first articles indexed
