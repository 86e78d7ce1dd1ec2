"""The command line: exit codes, stderr messages, and every --json line parsed."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone

import pytest

import newssearch as ns
from newssearch.cli import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_NO_MATCH, EXIT_PARTIAL, EXIT_USAGE, cli
from newssearch.engine.store import sealed

from tests.helpers import DATA, EXAMPLES, search_json

HIT_KEYS = {"id", "title", "url", "source", "agencies", "published", "score", "snippet", "highlights"}


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_index_reports_on_stderr_only(tmp_path, runner):
    result = runner.invoke(cli, ["index", str(EXAMPLES), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "added 14, updated 0, unchanged 0, duplicates 0, failed 0" in result.stderr
    again = runner.invoke(cli, ["index", str(EXAMPLES), "--index", str(tmp_path / "ix")])
    assert "added 0, updated 0, unchanged 14" in again.stderr
    assert "nothing changed" in again.stderr


def test_index_json_report(tmp_path, runner):
    result = runner.invoke(cli, ["index", str(EXAMPLES), "--index", str(tmp_path / "ix"), "--json", "--quiet"])
    (report,) = json_lines(result.stdout)
    assert report["added"] == 14 and report["failed"] == [] and report["committed"] is True
    assert result.stderr == ""


def test_broken_files_are_named_and_the_rest_indexed(tmp_path, runner):
    # the files directly in tests/data (its sub-folders hold samples of other formats)
    files = sorted(str(p) for p in DATA.iterdir() if p.is_file())
    result = runner.invoke(cli, ["index", *files, "--index", str(tmp_path / "ix")])
    assert result.exit_code == EXIT_PARTIAL
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert any("broken.jsonl:2: invalid JSON" in e for e in errors)
    assert any("bad.json:1: invalid JSON" in e for e in errors)
    assert any("empty.txt: empty file" in e for e in errors)
    assert "failed:" in result.stderr and "rows.csv" in result.stderr
    assert "Traceback" not in result.stderr
    with ns.open_index(tmp_path / "ix") as ix:
        assert len(ix) == 6  # 2 + 2 kept from the broken files, 2 good files


def test_a_folder_with_nothing_to_index_says_so_and_creates_no_index(tmp_path, runner):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(cli, ["index", str(empty), "--index", str(tmp_path / "ix")])
    assert result.exit_code == EXIT_NO_MATCH and result.stdout == ""
    assert result.stderr == f"Nothing to index in {empty}: no files; the index {tmp_path / 'ix'} was not created.\n"
    assert not (tmp_path / "ix").exists()
    (empty / "README").write_text("about these files")
    docs = runner.invoke(cli, ["index", str(empty), "--index", str(tmp_path / "ix"), "--quiet"])
    assert docs.exit_code == EXIT_NO_MATCH and "no article files (skipped 1 that are not articles: README)" in docs.stderr
    assert not (tmp_path / "ix").exists()


def test_nothing_to_index_leaves_an_index_as_it_was_even_with_rebuild(tmp_path, runner):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert runner.invoke(cli, ["index", str(EXAMPLES), "--index", str(tmp_path / "ix"), "-q"]).exit_code == 0
    rebuild = runner.invoke(cli, ["index", str(empty), "--index", str(tmp_path / "ix"), "--rebuild"])
    assert rebuild.exit_code == EXIT_NO_MATCH and "was left as it was" in rebuild.stderr
    with ns.open_index(tmp_path / "ix") as ix:
        assert len(ix) == 14
    # a prune of a folder emptied of its files is work: articles read from it go
    folder = tmp_path / "emptied"
    folder.mkdir()
    (folder / "one.txt").write_text("A headline of its own\n\nA body long enough to be an article of the folder.\n")
    assert runner.invoke(cli, ["index", str(folder), "--index", str(tmp_path / "ix"), "-q"]).exit_code == 0
    (folder / "one.txt").unlink()
    pruned = runner.invoke(cli, ["index", str(folder), "--index", str(tmp_path / "ix"), "--prune"])
    assert pruned.exit_code == 0
    with ns.open_index(tmp_path / "ix") as ix:
        assert len(ix) == 14


def test_show_and_json_name_the_pages_site_beside_the_outlet(tmp_path, runner):
    wired = ns.Article(title="OPEC holds output steady", body="OPEC ministers met on Thursday.", url="https://lw.example/opec",
                       source="Energy Desk", site="Local Wire")
    with ns.create_index(tmp_path / "ix") as ix:
        ix.add([wired, wired.replace(id="", url="https://ed.example/2", title="Another", site=None)])
    shown = runner.invoke(cli, ["show", wired.id, "--index", str(tmp_path / "ix")])
    assert "   outlet: Energy Desk\n     site: Local Wire\n" in shown.stdout
    assert json.loads(runner.invoke(cli, ["show", wired.id, "--index", str(tmp_path / "ix"), "--json"]).stdout)["site"] == "Local Wire"
    hits = json_lines(runner.invoke(cli, ["search", "opec", "--index", str(tmp_path / "ix"), "--json", "--all-copies"]).stdout)
    assert {h["title"]: h["site"] for h in hits if h["type"] == "hit"} == {"OPEC holds output steady": "Local Wire", "Another": None}
    # an export read back keeps it (a record naming only its "site" takes it as the outlet, as before)
    exported = tmp_path / "export.jsonl"
    exported.write_text(runner.invoke(cli, ["export", "--index", str(tmp_path / "ix")]).stdout
                        + json.dumps({"title": "Alone", "text": "Body.", "site": "Solo Site"}) + "\n")
    assert runner.invoke(cli, ["index", str(exported), "--index", str(tmp_path / "ix2"), "-q"]).exit_code == 0
    with ns.open_index(tmp_path / "ix2") as ix:
        assert sorted((a.title, a.source, a.site) for a in ix.iter_articles()) == [
            ("Alone", "Solo Site", None), ("Another", "Energy Desk", None), ("OPEC holds output steady", "Energy Desk", "Local Wire")]


def test_a_run_where_everything_failed_exits_1(tmp_path, runner):
    result = runner.invoke(cli, ["index", str(DATA / "bad.json"), "--index", str(tmp_path / "ix")])
    assert result.exit_code == EXIT_ERROR
    missing = runner.invoke(cli, ["index", str(tmp_path / "nope"), "--index", str(tmp_path / "ix")])
    assert missing.exit_code == EXIT_ERROR and "no such file or folder" in missing.stderr


def test_search_text_output(ix_dir, runner):
    result = runner.invoke(cli, ["search", "port", "strike", "--index", str(ix_dir), "--no-color"])
    assert result.exit_code == 0
    assert result.stdout.startswith("1. ")
    assert "Shipping stocks fall as port strike drags on" in result.stdout
    assert "\x1b[" not in result.stdout
    assert "Showing 1-4 of 4 results" in result.stderr


def test_search_color_marks_matches(ix_dir, runner):
    result = runner.invoke(cli, ["search", "copper", "--index", str(ix_dir), "--color"])
    assert "\x1b[1;33mCopper\x1b[0m" in result.stdout


def test_search_json_lines(ix_dir, runner):
    result = runner.invoke(cli, ["search", "harbour bridge", "--index", str(ix_dir), "--json"])
    assert result.exit_code == 0
    hits, summary = search_json(result.stdout)
    assert len(hits) == 2 and summary["total"] == 2 and summary["shown"] == 2
    for hit in hits:
        assert HIT_KEYS <= set(hit)
        assert hit["published"] is None or hit["published"].endswith("Z")
        for start, end in hit["highlights"]:
            assert 0 <= start < end <= len(hit["snippet"])
            assert hit["snippet"][start:end].lower() in ("harbour bridge", "harbour", "bridge")
    page = next(h for h in hits if h["title"].startswith("Harbour bridge reopens"))
    assert page["source"] == "Northbay Courier" and page["agencies"] == ["AFP"]
    assert page["published"] == "2024-03-14T07:15:00Z"


def test_search_filters_and_sort(ix_dir, runner):
    result = runner.invoke(cli, ["search", "*", "--index", str(ix_dir), "--json", "--source", "Energy Desk", "--sort", "oldest", "--since", "2024-06-01"])
    titles = [h["title"] for h in search_json(result.stdout)[0]]
    assert titles == [
        "Grid operator warns of tight supply during heatwave",
        "Utility to close last coal plant two years early",
        "Port strike delays shipments of wind turbine blades",
    ]


def test_search_pagination(ix_dir, runner):
    all_ids = [h["id"] for h in search_json(runner.invoke(cli, ["search", "*", "--index", str(ix_dir), "--json", "--sort", "date", "-n", "20"]).stdout)[0]]
    page = [h["id"] for h in search_json(runner.invoke(cli, ["search", "*", "--index", str(ix_dir), "--json", "--sort", "date", "-n", "5", "--page", "2"]).stdout)[0]]
    assert page == all_ids[5:10]


def test_no_hits_exits_4_with_a_message(ix_dir, runner):
    # a status of its own, as grep's 1: "nothing matched" is neither success nor any error
    result = runner.invoke(cli, ["search", "zebra", "--index", str(ix_dir)])
    assert result.exit_code == EXIT_NO_MATCH == 4 and result.stdout == ""
    assert "No results for 'zebra'" in result.stderr


def test_bad_query_is_one_line_exit_2(ix_dir, runner):
    result = runner.invoke(cli, ["search", "published:[garbage TO 2020]", "--index", str(ix_dir)])
    assert result.exit_code == EXIT_USAGE
    assert result.stderr.startswith("Error: cannot parse query") and result.stderr.count("\n") == 1


def test_missing_index_exit_1(tmp_path, runner):
    result = runner.invoke(cli, ["search", "x", "--index", str(tmp_path / "none")])
    assert result.exit_code == EXIT_ERROR
    assert "Error: no index at" in result.stderr


def test_index_from_environment(ix_dir, runner, monkeypatch):
    monkeypatch.setenv("NEWSSEARCH_INDEX", str(ix_dir))
    result = runner.invoke(cli, ["stats", "--json"])
    assert json_lines(result.stdout)[0]["articles"] == 14


@pytest.mark.parametrize(
    "args",
    [["search", "x", "--sort", "sideways"], ["search", "x", "--limit", "-1"], ["search", "x", "--tz", "Mars/Base"], ["frobnicate"], ["index"]],
)
def test_usage_errors_exit_2(runner, args):
    result = runner.invoke(cli, args)
    assert result.exit_code == EXIT_USAGE


@pytest.mark.parametrize(
    "args, message",
    [
        (["--since", "someday"], "cannot read 'someday' as a date"),
        (["--since", "2007-13"], "cannot read '2007-13' as a date: month must be in 1..12"),  # was an internal error
        (["--until", "2007-02-30"], "cannot read '2007-02-30' as a date"),
        (["--since", "2008-01-01", "--until", "2007-01-01"], "is after --until"),
        (["--since", "400000000 days ago"], "cannot read '400000000 days ago' as a date"),
        (["--now", "never"], "cannot read 'never' as a date"),
        (["--half-life", "soon"], "cannot read 'soon' as a duration"),
        # bytes that are not UTF-8 (a shell's $'\xff'): an internal UnicodeEncodeError before
        (["--source", "Reuters\udcff"], "--source 'Reuters\\xff' is not UTF-8 text"),
        (["--section", "\udcffworld"], "--section '\\xffworld' is not UTF-8 text"),
        (["--agency", "AP\udcff"], "--agency 'AP\\xff' is not UTF-8 text"),
    ],
)
def test_a_bad_option_value_is_a_usage_error(ix_dir, runner, args, message):
    # exit 2, like every bad option value (a bad --since exited 1, a bad --tz 2)
    for command in (["search", "x"], ["timeline", "x"]):
        if "--half-life" in args and command[0] == "timeline":
            continue
        result = runner.invoke(cli, [*command, "--index", str(ix_dir), *args])
        assert result.exit_code == EXIT_USAGE, (command, result.stderr)
        assert message in result.stderr and "Traceback" not in result.stderr


def test_a_search_without_a_query_lists_what_the_filters_keep_newest_first(ix_dir, runner):
    result = runner.invoke(cli, ["search", "--index", str(ix_dir), "--source", "Energy Desk", "--json", "-n", "20"])
    assert result.exit_code == 0, result.stderr
    hits, _summary = search_json(result.stdout)
    dates = [h["published"] for h in hits]
    assert len(hits) == 4 and {h["source"] for h in hits} == {"Energy Desk"}
    assert dates == sorted(dates, reverse=True)


def test_a_bad_date_in_the_query_is_a_query_error(ix_dir, runner):
    result = runner.invoke(cli, ["search", "oil date:2007-13", "--index", str(ix_dir)])
    assert result.exit_code == EXIT_USAGE  # query text it cannot read is a usage error
    assert result.stderr.startswith("Error: cannot parse query") and "month must be in 1..12" in result.stderr
    with ns.open_index(ix_dir) as ix, pytest.raises(ns.QuerySyntaxError):
        ix.search("oil date:2007-13")


def test_show_and_stats(ix_dir, runner):
    hit = json_lines(runner.invoke(cli, ["search", "copper", "--index", str(ix_dir), "--json"]).stdout)[0]
    shown = runner.invoke(cli, ["show", hit["id"], "--index", str(ix_dir), "--json"])
    (article,) = json_lines(shown.stdout)
    assert HIT_KEYS - {"score", "snippet", "highlights"} <= set(article)
    assert article["body"].startswith("Copper prices rose")
    text = runner.invoke(cli, ["show", hit["id"][:8], "--index", str(ix_dir), "--tz", "Europe/Sofia"])
    assert "Copper climbs" in text.stdout and "(zone assumed)" in text.stdout
    missing = runner.invoke(cli, ["show", "ffffffffffffffff", "--index", str(ix_dir)])
    assert missing.exit_code == EXIT_ERROR and "no article with id" in missing.stderr
    stats = runner.invoke(cli, ["stats", "--index", str(ix_dir)])
    assert "articles:  14" in stats.stdout and "Energy Desk (4)" in stats.stdout
    (sj,) = json_lines(runner.invoke(cli, ["stats", "--index", str(ix_dir), "--json"]).stdout)
    assert sj["articles"] == 14 and sj["undated"] == 2 and sj["outlets"]["Markets Daily"] == 3
    assert sj["earliest"] == "2023-09-02T08:00:00Z"


def test_locked_index_is_a_clear_error(ix_dir, runner):
    with ns.open_index(ix_dir) as ix, ix.writer():
        result = runner.invoke(cli, ["index", str(EXAMPLES), "--index", str(ix_dir)])
    assert result.exit_code == EXIT_ERROR and "locked by another writer" in result.stderr


def test_ctrl_c_exits_130_and_keeps_the_index(ix_dir, runner, monkeypatch):
    def interrupt(self, article):
        raise KeyboardInterrupt

    monkeypatch.setattr(ns.ArticleWriter, "add", interrupt)
    result = runner.invoke(cli, ["index", str(DATA / "rows.csv"), "--index", str(ix_dir)])
    assert result.exit_code == EXIT_INTERRUPTED
    assert "Interrupted" in result.stderr
    monkeypatch.undo()
    with ns.open_index(ix_dir) as ix:
        assert len(ix) == 14


def test_stdin(tmp_path, runner):
    data = '{"title": "Piped in", "text": "From another program."}\n'
    result = runner.invoke(cli, ["index", "-", "--index", str(tmp_path / "ix")], input=data)
    assert result.exit_code == 0
    out = runner.invoke(cli, ["search", "piped", "--index", str(tmp_path / "ix"), "--json"])
    assert json_lines(out.stdout)[0]["path"] == "<stdin>"


def test_internal_errors_are_one_line(ix_dir, runner, monkeypatch):
    def broken(*a, **k):
        raise ZeroDivisionError("oops")

    monkeypatch.setattr(ns.NewsIndex, "stats", broken)
    result = runner.invoke(cli, ["stats", "--index", str(ix_dir)])
    assert result.exit_code == EXIT_ERROR
    assert result.stderr.startswith("Error: internal error: ZeroDivisionError: oops")


def test_a_bug_met_while_searching_is_reported_as_internal_not_as_the_query(ix_dir, runner, monkeypatch):
    # a bug in our own code (here: rebuilding the articles of the hits) must
    # not be dressed up as the user's mistake ("cannot parse query")
    def broken(self):
        raise AttributeError("'NoneType' object has no attribute 'x'")

    monkeypatch.setattr(ns.Article, "__post_init__", broken)
    result = runner.invoke(cli, ["search", "port strike", "--index", str(ix_dir)])
    assert result.exit_code == EXIT_ERROR
    assert result.stderr.startswith("Error: internal error: AttributeError: 'NoneType' object has no attribute 'x'")
    assert "please report it" in result.stderr and "NEWSSEARCH_DEBUG=1" in result.stderr
    assert "cannot parse query" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    with ns.open_index(ix_dir) as ix, pytest.raises(AttributeError):
        ix.search("port strike")


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help_with_an_example(runner, command):
    result = runner.invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.stdout and f"newssearch {command}" in result.stdout


def test_python_dash_m(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "newssearch", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and "newssearch" in proc.stdout


def test_search_facets_explain_and_recency_json(ix_dir, runner):
    result = runner.invoke(
        cli,
        ["search", "port strike", "--index", str(ix_dir), "--json", "--facets", "source,section",
         "--explain", "--sort", "recency", "--half-life", "30d", "--now", "2024-10-15"],
    )
    assert result.exit_code == 0, result.stderr
    hits, tail = search_json(result.stdout)
    assert tail["total"] == len(hits) == 4 and set(tail["facets"]) == {"source", "section"}
    assert sum(tail["facets"]["source"].values()) == 3  # the plain-text story names no outlet
    # the relevance comes from a search sorted by relevance alone, the
    # factor from the hit's own date: neither from the explanation itself
    plain = runner.invoke(cli, ["search", "port strike", "--index", str(ix_dir), "--json", "-n", "10"])
    relevance = {h["id"]: h["score"] for h in search_json(plain.stdout)[0]}
    now = datetime(2024, 10, 15, tzinfo=timezone.utc)
    for hit in hits:
        e = hit["explanation"]
        if hit["published"] is None:
            factor = 0.3
        else:
            age = (now - datetime.fromisoformat(hit["published"].replace("Z", "+00:00"))).total_seconds() / 86400
            factor = 0.3 + 0.7 * 0.5 ** (max(age, 0.0) / 30)
        assert e["recency_factor"] == pytest.approx(factor, rel=1e-6)
        assert e["relevance"] == pytest.approx(relevance[hit["id"]], abs=1e-4)
        assert hit["score"] == pytest.approx(relevance[hit["id"]] * factor, abs=1e-3)
        assert e["terms"] and all({f["field"] for f in t["fields"]} <= {"title", "body"} for t in e["terms"])
    # the oldest story (no date) sinks under recency
    assert hits[-1]["published"] is None


def test_search_text_facets_and_explain(ix_dir, runner):
    result = runner.invoke(cli, ["search", "strike", "--index", str(ix_dir), "--facets", "source", "--explain", "--no-color"])
    assert "Facets over all" in result.stdout and "source: " in result.stdout
    assert "= BM25F" in result.stdout and "strike  idf" in result.stdout and "body: tf 1" in result.stdout


def test_did_you_mean_on_stderr_and_auto_correct(ix_dir, runner):
    result = runner.invoke(cli, ["search", "harbuor brigde", "--index", str(ix_dir), "--json"])
    assert "Did you mean: harbour bridge?" in result.stderr
    corrected = runner.invoke(cli, ["search", "harbuor brigde", "--index", str(ix_dir), "--json", "--auto-correct"])
    assert "Showing results for 'harbour bridge'" in corrected.stderr
    assert json_lines(corrected.stdout)[0]["title"].lower().startswith(("harbour", "cycling"))


def test_relative_dates_and_bad_now(ix_dir, runner):
    result = runner.invoke(cli, ["search", "*", "--index", str(ix_dir), "--json", "--since", "last week", "--until", "now", "--now", "2024-10-16", "-n", "50"])
    titles = {h["title"] for h in search_json(result.stdout)[0]}
    assert titles == {"Shipping stocks fall as port strike drags on", "Dock workers and port operators resume talks to end strike", "Port strike delays shipments of wind turbine blades"}
    bad = runner.invoke(cli, ["search", "x", "--index", str(ix_dir), "--now", "someday"])
    assert bad.exit_code == EXIT_USAGE
    bad = runner.invoke(cli, ["search", "x", "--index", str(ix_dir), "--half-life", "soon"])
    assert bad.exit_code == EXIT_USAGE
    bad = runner.invoke(cli, ["search", "x", "--index", str(ix_dir), "--facets", "colour"])
    assert bad.exit_code == EXIT_USAGE


def test_timeline_outputs(ix_dir, runner):
    text = runner.invoke(cli, ["timeline", "strike", "--index", str(ix_dir), "--by", "month", "--width", "40"])
    assert text.exit_code == 0
    assert text.stdout.splitlines()[0].startswith("2024-10 ")
    assert "\u2588" in text.stdout
    (data,) = json_lines(runner.invoke(cli, ["timeline", "strike", "--index", str(ix_dir), "--by", "day", "--json"]).stdout)
    assert data["total"] == 4 and data["undated"] == 1 and sum(b["count"] for b in data["buckets"]) == 3
    csv_out = runner.invoke(cli, ["timeline", "--index", str(ix_dir), "--by", "year", "--csv", "--tz", "Europe/Lisbon"]).stdout.splitlines()
    assert csv_out[0] == "start,count" and csv_out[1].startswith("2023-01-01T00:00:00+00:00")
    assert sum(int(line.split(",")[1]) for line in csv_out[1:]) == 12


def test_similar_command(ix_dir, runner):
    hit = json_lines(runner.invoke(cli, ["search", "shipping stocks strike", "--index", str(ix_dir), "--json"]).stdout)[0]
    result = runner.invoke(cli, ["similar", hit["id"], "--index", str(ix_dir), "--json", "-n", "3"])
    related = json_lines(result.stdout)
    assert result.exit_code == 0 and related and hit["id"] not in [r["id"] for r in related]
    assert "strike" in (related[0]["title"] + related[0]["snippet"]).lower()
    missing = runner.invoke(cli, ["similar", "ffffffffffffffff", "--index", str(ix_dir)])
    assert missing.exit_code == EXIT_ERROR


def test_index_re_creates_an_index_of_another_version_only_with_rebuild(ix_dir, runner):
    meta = ix_dir / "newssearch.json"
    data = json.loads(meta.read_text())
    data["schema_version"] = int(f"99{data['schema_version']}")
    meta.write_text(json.dumps(sealed(data)))  # sealed, as another version writes it (not damage)
    told = "re-create it with 'newssearch index --rebuild PATH...'"
    for command in (["search", "strike"], ["index", str(EXAMPLES)]):
        refused = runner.invoke(cli, [*command, "--index", str(ix_dir)])
        assert refused.exit_code == EXIT_ERROR and refused.stderr.startswith("Error: ") and told in refused.stderr
    rebuilt = runner.invoke(cli, ["index", str(EXAMPLES), "--index", str(ix_dir), "--rebuild", "--json", "-q"])
    assert rebuilt.exit_code == 0 and json_lines(rebuilt.stdout)[0]["added"] == 14
    assert runner.invoke(cli, ["search", "strike", "--index", str(ix_dir)]).exit_code == 0


def test_another_shard_count_is_a_usage_error(ix_dir, runner):
    result = runner.invoke(cli, ["index", str(EXAMPLES), "--index", str(ix_dir), "--shards", "2"])
    assert result.exit_code == EXIT_USAGE and result.stdout == ""
    assert result.stderr.startswith("Usage: ") and "index [OPTIONS] PATH..." in result.stderr.splitlines()[0]
    assert result.stderr.endswith(f"Error: {ix_dir} has 1 shard, not 2: index into a new folder with --shards 2 to re-shard\n")


def test_the_cli_package_has_no_cycle_no_private_imports_and_small_modules():
    # the commands are defined apart from the group, which imports them: no
    # command module imports the package itself, nor another module's private names
    import ast
    from pathlib import Path

    import newssearch.cli

    package = Path(newssearch.cli.__file__).parent
    for path in sorted(package.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert len(text.splitlines()) <= 600, path.name
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, ast.ImportFrom):
                continue
            names = [alias.name for alias in node.names]
            assert [n for n in names if n.startswith("_") and not n.startswith("__")] == [], (path.name, node.module)
            if path.name != "__init__.py":
                assert not (node.level == 1 and node.module is None), path.name  # from . import ...
                assert node.module not in ("newssearch.cli", "newssearch") or node.level, path.name


def test_old_import_paths_still_work():
    import newssearch.cli as package
    from newssearch.cli import follow, output, saved

    for name in ("format_hit", "hit_to_json", "article_to_json", "format_facets", "format_explanation", "explanation_to_json"):
        assert getattr(package, name) is getattr(output, name) and name in package.__all__
    moved = {"format_alert": output.format_alert, "alert_line": output.alert_line, "saved_cmd": saved.saved_cmd, "follow_cmd": follow.follow_cmd}
    for name, new in moved.items():
        with pytest.warns(DeprecationWarning, match=f"newssearch.cli_live.{name} is deprecated"):
            import newssearch.cli_live as old

            assert getattr(old, name) is new
    # our own imports use the new paths: the command starts without a warning
    proc = subprocess.run([sys.executable, "-W", "error::DeprecationWarning", "-m", "newssearch", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stderr == ""
