"""What scripts read from the command line (issue 20): the summary line that
ends ``search --json``, ``--csv``/``--tsv``/``--fields``, ``--count``,
``export``, exit 4 for "nothing found", the page limit said rather than
applied in silence, and shell completion."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

import newssearch as ns
from newssearch.cli import EXIT_NO_MATCH, EXIT_OK, EXIT_USAGE, cli
from newssearch.cli.fields import CSV_FIELDS, FIELDS
from newssearch.engine.reading import Snapshot
from newssearch.search.request import MAX_LIMIT

from tests.helpers import EXAMPLES, ROOT, search_json

UTC = timezone.utc
#: Values a table must quote: the delimiters, a double quote.
AWKWARD = ns.Article(
    title='Minister says "no, not yet" to\tport sale',
    body=("The minister said the sale of the port, long rumoured, would not go ahead this year. Bidders from three"
          " countries had been told to wait for a review of the harbour's finances, which is due in the spring, and"
          " unions welcomed the decision after weeks of protests outside the ministry."),
    source='Harbour "Daily", Evening',
    agencies=("AFP", "Reuters"),
    published=datetime(2024, 10, 20, 9, 30, tzinfo=UTC),
    url="https://example.org/port-sale",
)
#: Another outlet's copy of AWKWARD's story: stories and articles differ.
COPY = AWKWARD.replace(id="", source="Wire", title="Minister rules out port sale this year", url="https://wire.example/port-sale",
                       published=datetime(2024, 10, 20, 10, 0, tzinfo=UTC))


@pytest.fixture(scope="module")
def where(tmp_path_factory, runner_session) -> Path:
    """The examples and one article whose values need quoting, indexed once (tests only read it)."""
    folder = tmp_path_factory.mktemp("scripts") / "ix"
    result = runner_session.invoke(cli, ["index", str(EXAMPLES), "--index", str(folder), "-q"])
    assert result.exit_code == 0, result.stderr
    with ns.open_index(folder) as ix:
        ix.add([AWKWARD, COPY])
        assert ix.search("port sale").articles == ix.search("port sale").total + 1  # one story, two copies
    return folder


def run(runner, where: Path, *args: str):
    return runner.invoke(cli, [*args, "--index", str(where)])


# --- the summary line ---------------------------------------------------


def test_json_ends_with_one_summary_line_whatever_the_page(where, runner_session):
    with ns.open_index(where) as ix:
        expected = ix.search("strike", limit=2)
    result = run(runner_session, where, "search", "strike", "--json", "-n", "2")
    hits, summary = search_json(result.stdout)
    assert result.exit_code == EXIT_OK
    assert [h["id"] for h in hits] == [h.article.id for h in expected]
    assert summary == {"type": "summary", "query": "strike", "total": expected.total, "articles": expected.articles,
                       "offset": 0, "shown": 2, "warnings": [], "fallback": None}
    # -n 0 printed nothing at all: now the totals alone
    zero = run(runner_session, where, "search", "strike", "--json", "-n", "0")
    hits, summary = search_json(zero.stdout)
    assert zero.exit_code == EXIT_OK and hits == [] and summary["total"] == expected.total and summary["shown"] == 0
    # facets belong to the summary, only when asked for
    faceted = run(runner_session, where, "search", "strike", "--json", "--facets", "source")
    assert search_json(faceted.stdout)[1]["facets"]["source"]["Energy Desk"] == 1
    assert "facets" not in summary


def test_similar_hits_are_typed_like_search_hits(where, runner_session):
    first = search_json(run(runner_session, where, "search", "shipping stocks strike", "--json").stdout)[0][0]
    related = [json.loads(line) for line in run(runner_session, where, "similar", first["id"], "--json").stdout.splitlines()]
    assert related and {r["type"] for r in related} == {"hit"}


# --- tables and fields --------------------------------------------------


@pytest.mark.parametrize("flag, delimiter", [("--csv", ","), ("--tsv", "\t")])
def test_tables_have_a_header_and_quote_what_needs_it(where, runner_session, flag, delimiter):
    as_json, _ = search_json(run(runner_session, where, "search", "port", "--json", "-n", "20").stdout)
    result = run(runner_session, where, "search", "port", flag, "-n", "20", "--tz", "Europe/Lisbon")
    assert result.exit_code == EXIT_OK and "Showing 1-" in result.stderr  # the totals on stderr, as for text
    header, *rows = list(csv.reader(io.StringIO(result.stdout), delimiter=delimiter))
    assert header == ["rank", "id", "published", "source", "title", "url", "score", "snippet"]
    assert [row[1] for row in rows] == [h["id"] for h in as_json]
    awkward = next(dict(zip(header, row)) for row in rows if row[1] == AWKWARD.id)
    assert awkward["title"] == AWKWARD.title.replace("\t", " ") or awkward["title"] == AWKWARD.title
    assert awkward["source"] == AWKWARD.source
    assert awkward["published"] == "2024-10-20T10:30:00+01:00"  # ISO 8601 in --tz, with its offset
    undated = [dict(zip(header, row)) for row in rows if not row[2]]
    assert all(h["published"] is None for h in as_json if h["id"] in {u["id"] for u in undated})


def test_fields_choose_keys_and_columns_in_the_order_given(where, runner_session):
    result = run(runner_session, where, "search", "port sale", "--json", "--fields", "title,agencies,id,title")
    hits, _ = search_json(result.stdout)
    assert hits and all(list(h) == ["type", "title", "agencies", "id"] for h in hits)
    top = next(h for h in hits if h["id"] == AWKWARD.id)
    assert top["agencies"] == ["AFP", "Reuters"]
    table = run(runner_session, where, "search", "port sale", "--csv", "--fields", "agencies,authors,id,tz_assumed,highlights")
    header, *rows = list(csv.reader(io.StringIO(table.stdout)))
    assert header == ["agencies", "authors", "id", "tz_assumed", "highlights"]
    row = next(r for r in rows if r[2] == AWKWARD.id)
    assert row[0] == "AFP; Reuters" and row[1] == "" and row[3] == "false" and json.loads(row[4])
    explained = search_json(run(runner_session, where, "search", "port", "--json", "--fields", "explanation").stdout)[0]
    assert explained and all(h["explanation"]["terms"] for h in explained)  # --fields explanation turns --explain on


@pytest.mark.parametrize(
    "args, message",
    [
        (["--json", "--fields", "id,titel,colour"], "no field 'titel', 'colour' (choose from id, title"),
        (["--fields", "id"], "--fields chooses the fields of --json, --csv or --tsv"),
        (["--csv", "--fields", " , "], "name at least one field"),
        (["--csv", "--json"], "choose one output format, not --json and --csv"),
        (["--tsv", "--facets", "source"], "facets are not rows of --tsv"),
        (["--count", "--csv"], "--count prints one number"),
        (["--count", "--facets", "source"], "add --json for the facets"),
        (["--page", "2", "--offset", "5"], "give --offset or --page, not both"),
        (["-n", str(MAX_LIMIT + 1)], "a page holds at most 10,000 results, not 10,001: use --page for the next ones, or 'newssearch export'"),
    ],
)
def test_what_cannot_be_honoured_is_a_usage_error(where, runner_session, args, message):
    result = run(runner_session, where, "search", "port", *args)
    assert result.exit_code == EXIT_USAGE and result.stdout == ""
    assert message in result.stderr and "Traceback" not in result.stderr


def test_every_field_named_in_fields_exists_in_a_hit(where, runner_session):
    hits, _ = search_json(run(runner_session, where, "search", "port", "--json", "--explain").stdout)
    assert set(FIELDS) == set(hits[0]) - {"type"}


def test_the_largest_page_is_still_served(where, runner_session):
    result = run(runner_session, where, "search", "--json", "-n", str(MAX_LIMIT))
    hits, summary = search_json(result.stdout)
    assert result.exit_code == EXIT_OK and len(hits) == summary["total"] == summary["shown"]


def test_a_saved_search_kept_with_a_larger_page_keeps_its_meaning(tmp_path, runner):
    # versions before this one accepted --limit 20000 and showed 10,000: such a
    # saved search is read as the largest page, and its alerts still match
    where = tmp_path / "ix"
    assert runner.invoke(cli, ["index", str(EXAMPLES), "--index", str(where), "-q"]).exit_code == EXIT_OK
    refused = runner.invoke(cli, ["saved", "add", "big", "strike", "-n", "20000", "--index", str(where)])
    assert refused.exit_code == EXIT_USAGE and "20000 is not in the range" in refused.stderr
    assert runner.invoke(cli, ["saved", "add", "big", "strike", "-n", "20", "--index", str(where)]).exit_code == EXIT_OK
    with sqlite3.connect(where / "saved.sqlite") as con:
        con.execute("UPDATE saved SET options = ? WHERE name = 'big'", (json.dumps({"limit": 20000}),))
    con.close()
    ran = runner.invoke(cli, ["saved", "run", "big", "--json", "--index", str(where)])
    hits, summary = search_json(ran.stdout)
    assert ran.exit_code == EXIT_OK and len(hits) == summary["total"] == 4
    with ns.open_index(where) as ix:
        assert ix.saved.get("big").options["limit"] == MAX_LIMIT
        ix.add(ns.Article(title="Strike ends at the port", body="The strike at the port ended on Monday."))
        assert [a.title for a in ix.saved.new("big")] == ["Strike ends at the port"]


# --- counting and "nothing found" ---------------------------------------


def test_count_is_the_total_under_the_same_filters(where, runner_session):
    with ns.open_index(where) as ix:
        stories = ix.search("strike", since="2024-10-09").total
        every = ix.search("")
        articles = ix.search("", all_copies=True).total
    assert stories and articles == len(ix) == every.articles and every.total < articles  # copies: stories and articles differ
    result = run(runner_session, where, "search", "strike", "--since", "2024-10-09", "--count")
    assert result.exit_code == EXIT_OK and result.stdout == f"{stories}\n"
    assert run(runner_session, where, "search", "--count").stdout == f"{every.total}\n"  # stories, as the total counts them
    assert run(runner_session, where, "search", "--count", "--all-copies").stdout == f"{articles}\n"
    as_json = run(runner_session, where, "search", "strike", "--count", "--json", "--facets", "section")
    (summary,) = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert summary["type"] == "summary" and summary["total"] == 4 and summary["shown"] == 0 and "section" in summary["facets"]


@pytest.mark.parametrize(
    "args, stdout",
    [
        (["search", "zebra"], ""),
        (["search", "zebra", "--count"], "0\n"),
        (["search", "strike", "--since", "2030-01-01"], ""),
        (["export", "zebra"], ""),
        (["export", "--source", "Nobody"], ""),
        (["timeline", "zebra"], ""),
        (["timeline", "strike", "--since", "2030-01-01", "--csv"], "start,count\n"),
    ],
)
def test_nothing_found_exits_4(where, runner_session, args, stdout):
    result = run(runner_session, where, *args)
    assert result.exit_code == EXIT_NO_MATCH == 4
    assert result.stdout == stdout and result.stderr.startswith("No ")


def test_a_timeline_of_nothing_still_prints_its_json(where, runner_session):
    result = run(runner_session, where, "timeline", "zebra", "--json")
    assert result.exit_code == EXIT_NO_MATCH and json.loads(result.stdout)["total"] == 0
    assert run(runner_session, where, "timeline", "strike", "--json").exit_code == EXIT_OK


def test_similar_with_nothing_like_it_exits_4(tmp_path, runner_session):
    with ns.create_index(tmp_path / "ix") as ix:  # one article: nothing else can be like it
        ix.add([AWKWARD])
        only = ix.search("port sale").hits[0].article.id
    result = run(runner_session, tmp_path / "ix", "similar", only)
    assert result.exit_code == EXIT_NO_MATCH and result.stdout == "" and result.stderr.startswith("No stories like ")
    assert run(runner_session, tmp_path / "ix", "similar", "ffffffffffffffff").exit_code == 1  # not found is an error


def test_nothing_found_still_ends_json_with_its_summary(where, runner_session):
    result = run(runner_session, where, "search", "zebra", "--json")
    hits, summary = search_json(result.stdout)
    assert result.exit_code == EXIT_NO_MATCH and hits == [] and summary["total"] == 0


def test_a_fallback_is_shown_as_one_and_never_counted(where, runner_session):
    # no article holds both words: the articles with most of them are listed, marked, but nothing matched
    result = run(runner_session, where, "search", "port", "zebra", "--json")
    hits, summary = search_json(result.stdout)
    assert result.exit_code == EXIT_NO_MATCH and summary["total"] == summary["shown"] == 0
    assert hits and all(h["missing"] == ["zebra"] for h in hits)
    assert summary["fallback"] == {"total": len(hits), "shown": len(hits)}
    count = run(runner_session, where, "search", "port", "zebra", "--count")
    assert count.exit_code == EXIT_NO_MATCH and count.stdout == "0\n"
    table = run(runner_session, where, "search", "port", "zebra", "--csv")
    assert table.exit_code == EXIT_NO_MATCH and table.stdout.splitlines() == [",".join(CSV_FIELDS)]
    assert "No article has every word of 'port zebra'; the text and --json outputs list" in table.stderr
    exported = run(runner_session, where, "export", "port", "zebra")
    assert exported.exit_code == EXIT_NO_MATCH and exported.stdout == ""
    with ns.open_index(where) as ix:
        assert len(ix.export("port zebra")) == 0  # the library's export has no fallback either
        assert len(ix.export("port zebra", match="any")) == ix.search("port zebra", match="any", all_copies=True).total > len(hits)


def test_a_page_past_the_end_is_not_nothing_found(where, runner_session):
    # grep's rule: the status says whether anything matched, not whether this page shows it
    result = run(runner_session, where, "search", "strike", "--page", "99")
    assert result.exit_code == EXIT_OK and "Showing none of 4" in result.stderr


# --- export -------------------------------------------------------------


def test_export_writes_every_article_with_its_body_oldest_first(where, runner_session):
    result = run(runner_session, where, "export")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    with ns.open_index(where) as ix:
        stored = {a.id: a for a in ix.iter_articles()}
    assert result.exit_code == EXIT_OK and result.stderr == f"Exported {len(stored)} articles.\n"
    assert sorted(line["id"] for line in lines) == sorted(stored)  # every copy of every story
    for line in lines:
        assert line["body"] == stored[line["id"]].body and line["title"] == stored[line["id"]].title
    dated = [line["published"] for line in lines if line["published"]]
    assert dated == sorted(dated) and lines[-1]["published"] is None  # oldest first, undated last
    undated = [line["id"] for line in lines if line["published"] is None]
    assert undated == sorted(undated)  # ties by id
    assert run(runner_session, where, "export").stdout == result.stdout  # a stable order


def test_export_takes_the_query_and_filters_of_search(where, runner_session):
    result = run(runner_session, where, "export", "strike", "--source", "Energy Desk", "--source", "Markets Daily")
    exported = [json.loads(line)["id"] for line in result.stdout.splitlines()]
    listed, _ = search_json(run(runner_session, where, "search", "strike", "--source", "Energy Desk",
                                "--source", "Markets Daily", "--all-copies", "--json", "--sort", "oldest").stdout)
    assert exported == [h["id"] for h in listed] and len(exported) == 2


def test_an_export_indexes_back(where, runner_session, tmp_path):
    exported = tmp_path / "all.jsonl"
    exported.write_text(run(runner_session, where, "export").stdout, encoding="utf-8")
    again = runner_session.invoke(cli, ["index", str(exported), "--index", str(tmp_path / "again"), "-q"])
    assert again.exit_code == EXIT_OK, again.stderr
    with ns.open_index(where) as one, ns.open_index(tmp_path / "again") as other:
        def fields(ix):  # the readers fold runs of spaces in a headline (AWKWARD's tab), as for any file
            return sorted((" ".join(a.title.split()), a.body, a.published, a.source, a.agencies, a.authors) for a in ix.iter_articles())

        assert fields(one) == fields(other)


def test_export_reads_one_article_at_a_time(where, monkeypatch):
    # memory bounded: the articles are read as the reader asks, none ahead
    read: list[int] = []
    original = Snapshot.article

    def counted(self, docnum):
        read.append(docnum)
        return original(self, docnum)

    monkeypatch.setattr(Snapshot, "article", counted)
    with ns.open_index(where) as ix, ix.export() as found:
        assert len(found) == len(ix) and read == []
        stream = iter(found)
        next(stream)
        next(stream)
        assert len(read) == 2


def test_an_export_reads_its_own_snapshot(tmp_path):
    # a commit while it is read, through the same index object, changes nothing in it
    ix = ns.create_index(tmp_path / "ix")
    ix.add([ns.Article(title=f"Port report {n}", body=f"Port traffic, report number {n}.") for n in range(5)])
    found = ix.export("port")
    stream = iter(found)
    first = next(stream)
    ix.add(ns.Article(title="Port report late", body="Port traffic, a late report."))
    assert ix.search("port").total == 6
    rest = list(stream)
    assert len(rest) == 4 and "late" not in " ".join(a.title for a in [first, *rest])
    with pytest.raises(ValueError, match="closed"):
        next(iter(found))
    ix.close()


def test_export_in_the_library_refuses_search_options(where):
    with ns.open_index(where) as ix, pytest.raises(TypeError, match="limit"):
        ix.export("port", limit=5)  # type: ignore[call-arg]


# --- help and completion -------------------------------------------------


def test_timeline_help_says_it_counts_stories(runner_session):
    text = " ".join(runner_session.invoke(cli, ["timeline", "--help"]).stdout.split())
    assert "Count matching stories per period" in text and "articles per period" not in text


@pytest.mark.parametrize("shell, marker", [("bash", "complete -o nosort -F _newssearch_completion newssearch"), ("zsh", "compdef"), ("fish", "complete --no-files --command newssearch")])
def test_shell_completion_scripts_as_the_readme_says(shell, marker):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"_NEWSSEARCH_COMPLETE={shell}_source newssearch" in readme
    env = {**os.environ, "_NEWSSEARCH_COMPLETE": f"{shell}_source"}
    proc = subprocess.run([sys.executable, "-m", "newssearch"], capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0 and marker in proc.stdout


def test_completion_completes_commands_and_options():
    env = {**os.environ, "_NEWSSEARCH_COMPLETE": "bash_complete", "COMP_WORDS": "newssearch ex", "COMP_CWORD": "1"}
    proc = subprocess.run([sys.executable, "-m", "newssearch"], capture_output=True, text=True, env=env, check=False)
    assert "plain,export" in proc.stdout.splitlines()
    env.update(COMP_WORDS="newssearch search --cs", COMP_CWORD="2")
    proc = subprocess.run([sys.executable, "-m", "newssearch"], capture_output=True, text=True, env=env, check=False)
    assert "plain,--csv" in proc.stdout.splitlines()
