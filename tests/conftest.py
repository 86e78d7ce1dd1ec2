"""Shared fixtures: a handful of fixed articles, a temporary index, a CLI
runner, and access to the real corpora in ../shared (skipped when absent on a
user's machine, a failure when absent under CI)."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

import newssearch as ns

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NEWSSEARCH_SHARED", ROOT.parent / "shared"))
EXAMPLES = ROOT / "examples"
DATA = Path(__file__).resolve().parent / "data"


def shared(*parts: str) -> Path:
    """Path into ../shared; skip the test when it is missing, fail under CI."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        message = f"shared test data not found: {path}"
        if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
            pytest.fail(message + " (required under CI)")
        pytest.skip(message)
    return path


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


ARTICLES = [
    ns.Article(
        title="Ceasefire talks resume in Minsk",
        body="Negotiators returned to Minsk on Monday to revive the ceasefire agreement, Reuters reports.",
        url="https://example.com/world/minsk-talks",
        published=utc(2022, 1, 24, 9, 0),
        source="Example Times",
        agencies=("Reuters",),
        section="world",
    ),
    ns.Article(
        title="Grain exports climb at Black Sea ports",
        body="Grain exports rose for a third month as ports on the Black Sea worked at full capacity.",
        url="https://example.com/business/grain",
        published=utc(2022, 1, 26, 15, 30),
        source="Example Times",
        section="business",
    ),
    ns.Article(
        title="Diplomats meet on the Minsk agreement",
        body="Diplomats from four countries met to discuss how the Minsk agreement could be implemented, AFP reported.",
        url="https://wire.example.org/minsk-agreement",
        published=utc(2022, 1, 27, 11, 0),
        source="Wire Daily",
        agencies=("AFP",),
        section="world",
    ),
    ns.Article(
        title="Museum reopens after renovation",
        body="The city museum reopened its doors after a two-year renovation with a new wing for modern art.",
        source="Wire Daily",
        section="culture",
    ),
]


@pytest.fixture
def articles() -> list[ns.Article]:
    return list(ARTICLES)


@pytest.fixture
def tmp_index(tmp_path: Path):
    ix = ns.create_index(tmp_path / "index")
    yield ix
    ix.close()


@pytest.fixture
def filled_index(tmp_index, articles):
    tmp_index.add(articles)
    return tmp_index


def parse_for(ix: ns.NewsIndex, text: str, **options):
    """What a search for ``text`` runs: the snapshot, the query tree
    (prefixes expanded) and the filter the options make."""
    from newssearch.search.compile import compile_request

    session = ix.session()
    parsed = compile_request(ns.SearchRequest.build(text, **options), session.parser, session.snapshot)
    return session.snapshot, parsed.query, parsed.restrict


REUTERS = ("data", "reuters-news-2006-2007")


@pytest.fixture(scope="session")
def reuters_index(tmp_path_factory, runner_session):
    where = tmp_path_factory.mktemp("reuters") / "ix"
    from newssearch.cli import cli

    result = runner_session.invoke(cli, ["index", str(shared(*REUTERS)), "--index", str(where), "--json", "--quiet"])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    ix = ns.open_index(where)
    yield ix, report, where
    ix.close()


def _cli_runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)  # click < 8.2
    except TypeError:
        return CliRunner()


@pytest.fixture(scope="session")
def runner_session() -> CliRunner:
    return _cli_runner()


@pytest.fixture
def runner() -> CliRunner:
    return _cli_runner()
