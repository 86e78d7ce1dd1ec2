"""The small files that say what an index is (newssearch.json, shards.json)
and the SQLite files beside it (saved searches, the follower's state) are
covered by `check`: damage to them is named, and `check --repair` writes the
manifests again from the index, or keeps a damaged SQLite file aside and says
what was lost, instead of leaving an index that cannot be opened or saved
searches silently gone."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest

import newssearch as ns
from newssearch.cli import EXIT_ERROR, EXIT_OK, cli
from newssearch.errors import IndexDamaged, NewsSearchError
from newssearch.live.state import FeedState
from tests.helpers import many_articles

DAMAGES = ("flip", "truncate", "delete", "empty", "digit")


def damage(path: Path, how: str) -> None:
    if how == "delete":
        path.unlink()
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "truncate":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif how == "digit":  # still valid JSON: another number where one was
        data = json.loads(path.read_text())
        key = "schema_version" if "schema_version" in data else "shards"
        data[key] = data[key] + 1
        path.write_text(json.dumps(data))
    else:
        data = bytearray(path.read_bytes())
        data[len(data) // 3] ^= 0x55
        path.write_bytes(bytes(data))


@pytest.fixture(scope="module")
def plain(tmp_path_factory) -> Path:
    where = tmp_path_factory.mktemp("plain") / "ix"
    with ns.create_index(where) as ix:
        ix.add(many_articles(60))
    return where


@pytest.fixture(scope="module")
def sharded(tmp_path_factory) -> Path:
    where = tmp_path_factory.mktemp("sharded") / "ix"
    with ns.create_index(where, shards=2) as ix:
        ix.add(many_articles(60))
    return where


def hits(where: Path) -> list[str]:
    with ns.open_index(where) as ix:
        return [h.article.id for h in ix.search("minsk", limit=50)]


@pytest.mark.parametrize("how", DAMAGES)
@pytest.mark.parametrize(("fixture", "name"), [("plain", "newssearch.json"), ("sharded", "shards.json")])
def test_a_damaged_manifest_is_named_and_written_again(request, tmp_path, runner, fixture, name, how) -> None:
    sound = request.getfixturevalue(fixture)
    where = tmp_path / "ix"
    shutil.copytree(sound, where)
    damage(where / name, how)
    with pytest.raises(IndexDamaged, match=name.replace(".", r"\.")):
        hits(where)
    checked = runner.invoke(cli, ["check", "--index", str(where)])
    assert checked.exit_code == EXIT_ERROR
    assert f"damaged: {name}" in checked.output
    repaired = runner.invoke(cli, ["check", "--repair", "--index", str(where)])
    assert repaired.exit_code == EXIT_OK, repaired.output
    assert f"repaired: wrote {name} again" in repaired.output
    assert hits(where) == hits(sound)
    if how != "delete":  # the damaged file is kept, not deleted
        assert [p.name for p in where.iterdir() if p.name.startswith(f"{name}.damaged-")]


def _with_live_state(sound: Path, where: Path) -> None:
    shutil.copytree(sound, where)
    with ns.open_index(where) as ix:
        ix.saved.add("minsk", "minsk")
        ix.saved.add("grain", "grain ports")
    FeedState(where).add(["http://127.0.0.1:9/feed.xml"], datetime.now(timezone.utc))


def test_emptied_saved_searches_are_an_error_not_silence(plain, tmp_path, runner) -> None:
    where = tmp_path / "ix"
    _with_live_state(plain, where)
    (where / "saved.sqlite").write_bytes(b"")
    with ns.open_index(where) as ix, pytest.raises(NewsSearchError, match=r"saved\.sqlite .* is empty"):
        ix.saved.list()
    checked = runner.invoke(cli, ["check", "--index", str(where)])
    assert checked.exit_code == EXIT_ERROR
    assert "damaged: saved.sqlite (saved searches) is empty" in checked.output
    repaired = runner.invoke(cli, ["check", "--repair", "--index", str(where)])
    assert repaired.exit_code == EXIT_OK
    assert "lost: saved.sqlite (saved searches): lost everything it held" in repaired.output
    assert [p for p in where.iterdir() if p.name.startswith("saved.sqlite.damaged-")]
    with ns.open_index(where) as ix:
        assert ix.saved.list() == []


def test_a_truncated_follower_state_is_found_and_what_can_be_read_is_kept(plain, tmp_path, runner) -> None:
    where = tmp_path / "ix"
    _with_live_state(plain, where)
    state = where / "follow.sqlite"
    with sqlite3.connect(state) as con:  # enough rows for more than the first page
        con.executemany("INSERT INTO seen VALUES (?, ?, ?, ?)", [("f", f"e{i}" * 50, "a", "t") for i in range(2000)])
    con.close()
    state.write_bytes(state.read_bytes()[: state.stat().st_size // 2])
    with pytest.raises(NewsSearchError, match="follow.sqlite"):
        FeedState(where).feeds()
    checked = runner.invoke(cli, ["check", "--index", str(where)])
    assert checked.exit_code == EXIT_ERROR
    assert "damaged: follow.sqlite (the follower's state)" in checked.output
    repaired = runner.invoke(cli, ["check", "--repair", "--index", str(where)])
    assert repaired.exit_code == EXIT_OK, repaired.output
    assert "repaired: follow.sqlite (the follower's state) kept aside as follow.sqlite.damaged-" in repaired.output
    FeedState(where).feeds()  # readable again
    # the saved searches were sound and are untouched
    with ns.open_index(where) as ix:
        assert sorted(s.name for s in ix.saved.list()) == ["grain", "minsk"]
