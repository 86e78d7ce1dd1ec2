"""A page of results has a stated cap (MAX_LIMIT): asking for more says so in
one line, and --page steps by what a page shows, so no result is skipped."""

from __future__ import annotations

import json

import newssearch as ns
from newssearch.cli import EXIT_OK, cli
from tests.helpers import many_articles


def test_a_limit_past_the_cap_is_stated_and_pages_skip_nothing(tmp_path, runner, monkeypatch) -> None:
    where = tmp_path / "ix"
    with ns.create_index(where) as ix:
        ix.add(many_articles(30))
    monkeypatch.setattr("newssearch.search.request.MAX_LIMIT", 12)
    monkeypatch.setattr("newssearch.cli.searching.MAX_LIMIT", 12)
    seen: list[str] = []
    for page in (1, 2, 3):
        result = runner.invoke(cli, ["search", "--index", str(where), "--all-copies", "--json", "--limit", "20", "--page", str(page)])
        assert result.exit_code == EXIT_OK
        assert "Note: a page holds at most 12 results (--limit 20 asked)" in result.stderr
        seen += [json.loads(line)["id"] for line in result.stdout.splitlines()]
    assert len(seen) == len(set(seen)) == 30
    quiet = runner.invoke(cli, ["search", "--index", str(where), "--limit", "12"])
    assert "Note:" not in quiet.stderr
