"""Flipped bytes in any segment file never change an answer silently: every
read is checked against the commit's block sums (newssearch.engine.verified),
so a search, a page of results and ``stats`` either answer exactly as the
undamaged index does or raise IndexDamaged naming the file. Missing sums are
damage too, unless the index is from before they were kept."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest

import newssearch as ns
from newssearch.cli import EXIT_ERROR, EXIT_OK, cli
from newssearch.engine.integrity import SUMS_FILE
from newssearch.engine.store import META_FILE
from newssearch.errors import IndexDamaged
from tests.helpers import QUERIES, many_articles

#: every kind of file a segment has, and what reads it
KINDS = [
    ".published.col", ".undated.col", ".seq.col", ".story.col", "._body_len.col", "._title_len.col",
    ".fingerprint.col", ".minhash.col", "._stored.col", ".nsp", ".pst", ".trm",
]


@pytest.fixture(scope="module")
def sound(tmp_path_factory) -> Path:
    where = tmp_path_factory.mktemp("verified") / "ix"
    with ns.create_index(where) as ix:
        ix.add(many_articles(2000))
    return where


def answers(where: Path) -> list:
    """What a user sees: every query shape by relevance and by date, a page
    of articles with snippets, the totals, and stats."""
    out: list = []
    with ns.open_index(where) as ix:
        for q in QUERIES:
            for sort in ("relevance", "date"):
                res = ix.search(q, sort=sort, limit=20)
                out.append((res.total, [(h.article.id, round(h.score, 9), h.article.title, h.article.published, h.article.body,
                                         h.snippet.text if h.snippet else None) for h in res]))
        st = ix.stats()
        out.append((st.articles, st.earliest, st.latest, st.undated, st.outlets))
    return out


def flip(path: Path, seed: int, count: int = 4) -> None:
    data = bytearray(path.read_bytes())
    rng = random.Random(seed)
    for _ in range(count):
        i = rng.randrange(len(data))
        data[i] ^= 1 << rng.randrange(8)
    path.write_bytes(bytes(data))


def only(where: Path, suffix: str) -> Path:
    """The biggest file of that kind (the index may have more than one segment)."""
    found = [p for p in where.iterdir() if p.name.endswith(suffix) and p.name.startswith("newssearch_")]
    return max(found, key=lambda p: (p.stat().st_size, p.name))


@pytest.mark.parametrize("suffix", KINDS)
def test_flipped_bytes_in_any_segment_file_are_found_or_change_nothing(sound, tmp_path, suffix) -> None:
    baseline = answers(sound)
    found = 0
    for seed in range(3):
        where = tmp_path / f"ix{seed}"
        shutil.copytree(sound, where)
        target = only(where, suffix)
        flip(target, seed)
        try:
            got = answers(where)
        except IndexDamaged as exc:
            assert target.name in str(exc)
            found += 1
        else:
            assert got == baseline, f"{target.name} changed an answer silently"
    # the files a search reads whole are always read: the damage is always found
    if suffix in (".published.col", ".undated.col", "._body_len.col", "._title_len.col"):
        assert found == 3


def test_deleted_sums_are_damage_and_repair_records_them_again(sound, tmp_path, runner) -> None:
    where = tmp_path / "ix"
    shutil.copytree(sound, where)
    (where / SUMS_FILE).unlink()
    with pytest.raises(IndexDamaged, match=SUMS_FILE):
        ns.open_index(where).search("minsk")
    result = runner.invoke(cli, ["check", "--index", str(where)])
    assert result.exit_code == EXIT_ERROR
    assert f"damaged: {SUMS_FILE}" in result.output
    result = runner.invoke(cli, ["check", "--repair", "--index", str(where)])
    assert result.exit_code == EXIT_OK, result.output
    assert "recorded the checksums again" in result.output
    assert answers(where) == answers(sound)


def test_deleted_sums_and_flipped_bytes_are_not_called_sound(sound, tmp_path, runner) -> None:
    where = tmp_path / "ix"
    shutil.copytree(sound, where)
    (where / SUMS_FILE).unlink()
    flip(only(where, ".pst"), 1, 16)
    result = runner.invoke(cli, ["check", "--index", str(where)])
    assert result.exit_code == EXIT_ERROR
    assert "sound" not in result.output.splitlines()[-1]


def test_an_index_from_before_sums_were_kept_still_opens(sound, tmp_path) -> None:
    where = tmp_path / "ix"
    shutil.copytree(sound, where)
    (where / SUMS_FILE).unlink()
    meta = json.loads((where / META_FILE).read_text())
    del meta["checksums"], meta["crc32"]  # as versions before either were kept wrote it
    (where / META_FILE).write_text(json.dumps(meta))
    assert answers(where) == answers(sound)
    # its next commit records the sums and marks the manifest
    with ns.open_index(where) as ix:
        ix.add(many_articles(2001)[-1:])
    assert (where / SUMS_FILE).exists()
    assert json.loads((where / META_FILE).read_text())["checksums"] == SUMS_FILE
