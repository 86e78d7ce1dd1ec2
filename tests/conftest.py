"""Shared fixtures: a temporary index, the fixed articles in it, the examples/
index built by the CLI, a messy multi-segment index, the Reuters index, a
web server on the loopback interface and CLI runners. What test modules import by name (paths, articles, helpers) is
in ``helpers.py``."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import newssearch as ns
from newssearch.cli import cli

from tests.helpers import ARTICLES, EXAMPLES, REUTERS, many_articles, shared
from tests.loopback import Loopback

#: Fixtures that take most of a minute to build: every test using one is
#: marked slow, so the quick run (pytest -m "not slow") never builds them.
SLOW_FIXTURES = frozenset({"reuters_index"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


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


@pytest.fixture(scope="module")
def messy_index(tmp_path_factory):
    """Several segments written by one and two processes, deletions and
    updates: the cases counting and matching must get right. Built once per
    module (tests only read it): building it per test was most of the time
    the ranking and counting tests took."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ns.ArticleWriter, "PARALLEL_FROM", 10)
        mp.setattr(ns.ArticleWriter, "PARALLEL_BATCH", 7)
        ix = ns.create_index(tmp_path_factory.mktemp("messy") / "ix")
        arts = many_articles(80)
        with ix.writer(procs=2) as w:
            w.add_many(arts[:50])
        with ix.writer(procs=1) as w:
            w.add_many(arts[50:])
        with ix.writer() as w:
            w.delete(arts[3].id)
            w.delete(arts[60].id)
        ix.add([arts[5].replace(body="museum renovation only"), arts[70].replace(title="Changed title")])
    yield ix
    ix.close()


@pytest.fixture
def loopback() -> Iterator[Loopback]:
    """A fresh web server on 127.0.0.1 for one test (tests/loopback.py)."""
    server = Loopback()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def ix_dir(tmp_path, runner) -> Path:
    """The examples/ articles indexed by the CLI: the folder."""
    where = tmp_path / "ix"
    result = runner.invoke(cli, ["index", str(EXAMPLES), "--index", str(where)])
    assert result.exit_code == 0, result.stderr
    return where


def _run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The temporary folder of this whole run. Under pytest-xdist each worker
    has its own base folder (``.../pytest-N/popen-gw0``) inside the run's
    one, which the workers of this run, and no other run, share."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def reuters_index(tmp_path_factory, runner_session):
    """Reuters 2006-07 indexed once per run by the CLI: (index, report, folder).

    Once per run, not once per worker: under pytest-xdist (.ci/run) the
    first worker to need it builds it under a lock in the run's shared
    temporary folder and the others wait for it and open the same folder
    (the longest set-up of the suite, and CPU the other worker needs). Every test only
    reads it; the "done" file marks a complete build, so a worker never
    opens one that another's failed or unfinished build left behind."""
    corpus = shared(*REUTERS)  # skips (or fails under CI) before anything is built or waited for
    folder = _run_folder(tmp_path_factory) / "reuters-shared"
    folder.mkdir(exist_ok=True)
    where, saved = folder / "ix", folder / "report.json"
    with open(folder / "build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not (folder / "done").exists():
            shutil.rmtree(where, ignore_errors=True)
            result = runner_session.invoke(cli, ["index", str(corpus), "--index", str(where), "--json", "--quiet"])
            assert result.exit_code == 0, result.stderr
            saved.write_text(result.stdout, encoding="utf-8")
            (folder / "done").touch()
    report = json.loads(saved.read_text(encoding="utf-8"))
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
