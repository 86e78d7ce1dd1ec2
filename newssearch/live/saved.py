"""Saved searches, and the alerts they raise when new articles match them.

A saved search is a query with the options of ``search`` (filters, zone,
sort, limit), kept by name in ``saved.sqlite`` beside the index. Its alerts
are found by percolation: after a commit, each saved search is run against
the articles added since it was last matched, and only those (see
:mod:`newssearch.search.percolate`: the segments holding nothing newer are
skipped), never against the whole archive.

"New" is decided by the index's own commits: every article carries the
ingest sequence of the commit that added it (``seq``, the generation of
the index's table of contents, which no commit reuses), and each saved
search keeps the ``seq`` it has been matched through. That ``seq`` and
the alerts it produced are written in one SQLite transaction (the
database's column is still named ``cursor``, as files written before call it),
so whatever is killed when, each match is recorded exactly once: an index
commit whose articles were not yet matched is matched by the next call
(from ``index``, ``follow`` or ``saved new``), and a transaction that did
not finish never happened. An article is alerted once per saved search
(an updated copy is not new news), and a copy of a story already alerted
(another outlet's copy of the same wire story, the agency's next update:
the story groups of :mod:`newssearch.write.stories`) is not alerted again.

Relative dates in a saved search ("--since 2d") are resolved each time it
is matched; its sort and limit shape ``saved run`` only, never alerts.
"""

from __future__ import annotations

import builtins
import json
import re
import sqlite3
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from ..errors import ConfigError, NewsSearchError, SavedSearchExists
from ..index import attach_living_archive
from ..model import Article, SearchResults
from ..search.percolate import Percolator
from ..search.request import MAX_LIMIT, SearchRequest
from .files import refuse_emptied
from .schemas import SAVED_FILE
from .schemas import SAVED_SCHEMA as _SCHEMA

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ..index import NewsIndex

__all__ = ["SAVED_FILE", "Alert", "SavedOptions", "SavedSearch", "SavedSearches"]

class SavedOptions(TypedDict, total=False):
    """The options a saved search keeps, as keywords (those of ``search``, less paging and display)."""

    since: str | None
    until: str | None
    source: str | Sequence[str] | None
    section: str | Sequence[str] | None
    agency: str | Sequence[str] | None
    lang: str | Sequence[str] | None
    tz: str | None
    sort: str | None
    limit: int | None
    half_life: str | None
    match: str | None


#: Search options a saved search keeps (what ``search`` takes, less paging and display).
OPTIONS = ("since", "until", "source", "section", "agency", "lang", "tz", "sort", "limit", "half_life", "match")
#: How the plain words of a search saved without a match mode join: before
#: 0.2 every search matched any of its words, and a saved search keeps the
#: meaning it was saved with.
_MATCH_BEFORE_0_2 = "any"
_NAME = re.compile(r"^[\w][\w .:@+-]{0,99}$")


def _utc(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _iso(when: datetime | None) -> str | None:
    return when.astimezone(timezone.utc).isoformat().replace("+00:00", "Z") if when else None


def _signed(label: int) -> int:
    """A 64-bit story label as SQLite's signed INTEGER."""
    return label - 2**64 if label >= 2**63 else label


@dataclass(frozen=True)
class SavedSearch:
    """A saved search: ``name``, ``query`` and the search ``options`` as given
    (relative dates stay relative); ``seq`` is the ingest sequence it has
    been matched through, ``read`` the last alert ``saved new`` showed."""

    name: str
    query: str
    options: dict[str, Any]
    created: datetime
    seq: int
    read: int

    @property
    def cursor(self) -> int:
        """Deprecated name of :attr:`seq` (until newssearch 0.3)."""
        warnings.warn("SavedSearch.cursor is now SavedSearch.seq; the old name goes in newssearch 0.3", DeprecationWarning, stacklevel=2)
        return self.seq

    def request(self, now: datetime | None = None) -> SearchRequest:
        """The search request, relative dates resolved against ``now`` (the clock by default)."""
        return SearchRequest.build(self.query, now=now, **self.options)

    def describe(self) -> str:
        """The query and options as one line, as ``saved list`` shows them."""
        shown = [repr(self.query) if self.query else "(every article)"]
        for key, value in self.options.items():
            if key == "match":
                shown += ["--any"] if value == "any" else []  # as the command line asks for it
                continue
            for one in value if isinstance(value, list) else [value]:
                shown.append(f"--{key.replace('_', '-')} {one}")
        return " ".join(shown)


@dataclass(frozen=True)
class Alert:
    """One new article a saved search matched: ``id`` counts alerts in the
    order they were recorded; ``matched`` is when (UTC); the article's
    fields are as they were then (the article may since have changed)."""

    id: int
    saved: str
    matched: datetime
    article_id: str
    title: str
    url: str | None
    source: str | None
    published: datetime | None
    agencies: tuple[str, ...]
    section: str | None
    snippet: str
    story: int

    def as_dict(self) -> dict[str, Any]:
        """The stable JSON shape of an alert (``--json`` prints one per line)."""
        return {
            "saved": self.saved,
            "alert": self.id,
            "matched": _iso(self.matched),
            "id": self.article_id,
            "title": self.title,
            "url": self.url,
            "source": self.source,
            "published": _iso(self.published),
            "agencies": list(self.agencies),
            "section": self.section,
            "snippet": self.snippet,
            "story": f"{self.story % 2**64:016x}",
        }


class SavedSearches:
    """The saved searches of one index, and their alerts (``ix.saved``)."""

    def __init__(self, index: NewsIndex) -> None:
        self._index = index
        self.path = Path(index.path) / SAVED_FILE

    # --- the store -----------------------------------------------------
    @contextmanager
    def _db(self, *, write: bool = False) -> Iterator[sqlite3.Connection]:
        """A connection; with ``write``, inside one transaction taken up front
        (BEGIN IMMEDIATE), so two processes matching at once take turns."""
        refuse_emptied(self.path, "saved searches")
        try:
            con = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        except sqlite3.Error as exc:
            raise NewsSearchError(f"cannot open saved searches {self.path}: {exc}") from None
        try:
            con.execute("PRAGMA foreign_keys = ON")
            con.executescript(_SCHEMA)
            if write:
                con.execute("BEGIN IMMEDIATE")
            yield con
            if write:
                con.execute("COMMIT")
        except BaseException as exc:
            if write and con.in_transaction:
                con.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise NewsSearchError(f"saved searches {self.path}: {exc}") from None
            raise
        finally:
            con.close()

    def exists(self) -> bool:
        """Whether any search was ever saved here (cheap: no file, no work after a commit)."""
        return self.path.exists()

    # --- saved searches ----------------------------------------------
    def add(self, name: str, query: str = "", *, replace: bool = False, **options: Unpack[SavedOptions]) -> SavedSearch:
        """Save a search under ``name``: ``query`` and ``search``'s options
        (``since``, ``until``, ``source``, ``section``, ``agency``, ``lang``, ``tz``,
        ``sort``, ``limit``, ``half_life``, ``match``: ``"all"`` by default,
        kept with the search). It alerts on articles indexed
        from now on; ``run`` searches the whole archive. Raises
        :class:`~newssearch.errors.ConfigError` for a bad name or option,
        :class:`~newssearch.errors.QuerySyntaxError` for a query that cannot
        be read, and :class:`~newssearch.errors.SavedSearchExists` when the
        name is taken (unless ``replace``)."""
        name = name.strip()
        if not _NAME.match(name):
            raise ConfigError(
                f"bad saved search name {name!r}: use letters, digits, spaces and . : @ + - _ (at most 100)", option="name"
            )
        unknown = sorted(set(options) - set(OPTIONS))
        if unknown:
            raise TypeError(f"a saved search does not keep {', '.join(unknown)}")
        kept = {k: (list(v) if isinstance(v, (list, tuple)) else v) for k, v in options.items() if v not in (None, (), [], "")}
        kept["match"] = kept.get("match", "all")  # always stored: a later default must not change what it matches
        request = SearchRequest.build(query, **kept)  # type: ignore[arg-type]  # bad options fail now, not at the first match
        self._index.search(request.replace(limit=0, snippets=False, facets=()))  # so does a bad query
        seq = self._last_seq()
        saved = SavedSearch(name, query, kept, datetime.now(timezone.utc), seq, 0)
        with self._db(write=True) as con:
            old = con.execute("SELECT read FROM saved WHERE name = ?", (name,)).fetchone()
            if old is not None and not replace:
                raise SavedSearchExists(f"a saved search named {name!r} exists; remove it first or replace it")
            if old is not None:
                con.execute("UPDATE saved SET query = ?, options = ?, cursor = ? WHERE name = ?", (query, json.dumps(kept), seq, name))
                return SavedSearch(name, query, kept, saved.created, seq, int(old[0]))
            con.execute(
                "INSERT INTO saved (name, query, options, created, cursor) VALUES (?, ?, ?, ?, ?)",
                (name, query, json.dumps(kept), saved.created.isoformat(), seq),
            )
        return saved

    def get(self, name: str) -> SavedSearch:
        """The saved search named ``name``; raises
        :class:`~newssearch.errors.NewsSearchError` when there is none."""
        with self._db() as con:
            row = con.execute("SELECT * FROM saved WHERE name = ?", (name.strip(),)).fetchone()
        if row is None:
            known = [s.name for s in self.list()]
            hint = f" (saved: {', '.join(known[:10])})" if known else " (none are saved; add one with 'newssearch saved add')"
            raise NewsSearchError(f"no saved search named {name!r}{hint}")
        return _saved(row)

    def list(self) -> builtins.list[SavedSearch]:
        """Every saved search, by name."""
        if not self.exists():
            return []
        with self._db() as con:
            return [_saved(row) for row in con.execute("SELECT * FROM saved ORDER BY name")]

    def remove(self, name: str) -> None:
        """Forget a saved search and its alerts."""
        self.get(name)
        with self._db(write=True) as con:
            con.execute("DELETE FROM saved WHERE name = ?", (name.strip(),))

    def run(self, name: str, **overrides: Any) -> SearchResults:
        """Run a saved search over the whole archive, as ``search`` would
        (``overrides``: e.g. ``limit``, ``offset``, ``snippets``)."""
        request = self.get(name).request()
        if overrides:
            request = SearchRequest.build(request.query, **(self.get(name).options | overrides))
        return self._index.search(request)

    # --- alerts --------------------------------------------------------
    def match_new(self, now: datetime | None = None) -> builtins.list[Alert]:
        """Match every saved search against the articles added after its
        ``seq`` and record the new alerts; return them (oldest first).
        Safe to call at any time and from several processes: matches are
        recorded once, and a call with nothing new costs a query of the
        database. A saved search that fails (a zone or date that no
        longer reads) is skipped, its ``seq`` kept, so nothing is lost."""
        if not self.exists():
            return []
        session = self._index.session()
        last_seq = session.snapshot.last_seq
        stamp = datetime.now(timezone.utc)
        recorded: builtins.list[int] = []
        percolator = Percolator(session)  # one batch: what the saved searches share is done once
        with self._db(write=True) as con:
            for row in con.execute("SELECT * FROM saved WHERE cursor != ? ORDER BY name", (last_seq,)).fetchall():
                saved = _saved(row)
                # an index re-created from nothing starts its commits again:
                # its articles are not news to a search saved before
                after_seq = min(saved.seq, last_seq)
                try:
                    found = percolator.match(saved.request(now), after_seq)
                except NewsSearchError:
                    continue
                if found:
                    alerted = {int(s) for (s,) in con.execute("SELECT story FROM alerts WHERE saved = ?", (saved.name,))}
                    for match in found:
                        story = _signed(match.story)
                        if story in alerted:
                            continue
                        article = percolator.article(match)
                        fields = {
                            "title": article.title,
                            "url": article.url,
                            "source": article.source,
                            "published": _iso(article.published),
                            "agencies": list(article.agencies),
                            "section": article.section,
                            "snippet": percolator.snippet(match).text,
                        }
                        cur = con.execute(
                            "INSERT OR IGNORE INTO alerts (saved, article, story, seq, matched, fields) VALUES (?, ?, ?, ?, ?, ?)",
                            (saved.name, article.id, story, match.seq, stamp.isoformat(), json.dumps(fields, ensure_ascii=False)),
                        )
                        if cur.rowcount:
                            recorded.append(int(cur.lastrowid or 0))
                        alerted.add(story)
                con.execute("UPDATE saved SET cursor = ? WHERE name = ?", (last_seq, saved.name))
        return self._alerts("id IN (%s)" % ",".join("?" * len(recorded)), recorded) if recorded else []

    def alerts(self, name: str | None = None, *, after: int = 0) -> builtins.list[Alert]:
        """The alerts recorded (for ``name``, or every saved search) after alert ``after``, oldest first."""
        if not self.exists():
            return []
        if name is None:
            return self._alerts("id > ?", [after])
        return self._alerts("saved = ? AND id > ?", [self.get(name).name, after])

    def unread(self, name: str) -> builtins.list[Alert]:
        """The alerts of ``name`` not yet read: neither shown by :meth:`new`
        nor delivered by ``follow`` (a user who saw an alert printed has read it)."""
        saved = self.get(name)
        return self._alerts("saved = ? AND id > ? AND delivered = 0", [saved.name, saved.read])

    def new(self, name: str, *, mark_read: bool = True) -> builtins.list[Alert]:
        """The alerts of ``name`` not yet read (after matching what was
        indexed since the last match; see :meth:`unread`), and mark them read
        unless not ``mark_read``."""
        self.match_new()
        saved = self.get(name)
        found = self.unread(saved.name)
        if found and mark_read:
            with self._db(write=True) as con:
                con.execute("UPDATE saved SET read = max(read, ?) WHERE name = ?", (found[-1].id, saved.name))
        return found

    def mark_read(self, name: str, through: int) -> None:
        """Mark the alerts of ``name`` up to alert ``through`` read, and no
        later one: a reader who was shown alerts 1 to 7 has not read alert 8,
        matched while the page was open (:meth:`new` marks all it returns)."""
        saved = self.get(name)
        with self._db(write=True) as con:
            con.execute("UPDATE saved SET read = max(read, ?) WHERE name = ?", (int(through), saved.name))

    def undelivered(self) -> builtins.list[Alert]:
        """Alerts ``follow`` has not yet delivered (printed, or passed to its command), oldest first."""
        if not self.exists():
            return []
        return self._alerts("delivered = 0", [])

    def mark_delivered(self, alert_ids: Sequence[int]) -> None:
        """Record that these alerts were delivered."""
        if not alert_ids:
            return
        with self._db(write=True) as con:
            con.executemany("UPDATE alerts SET delivered = 1 WHERE id = ?", [(i,) for i in alert_ids])

    def _alerts(self, where: str, args: Sequence[Any]) -> builtins.list[Alert]:
        with self._db() as con:
            rows = con.execute(f"SELECT id, saved, article, story, matched, fields FROM alerts WHERE {where} ORDER BY id", list(args)).fetchall()
        return [_alert(row) for row in rows]

    def _last_seq(self) -> int:
        return self._index.session().snapshot.last_seq

    def __len__(self) -> int:
        return len(self.list())

    def __repr__(self) -> str:
        return f"SavedSearches({str(self.path)!r})"


def _saved(row: Sequence[Any]) -> SavedSearch:
    name, query, options, created, seq, read = row
    kept = {"match": _MATCH_BEFORE_0_2} | json.loads(options)
    if isinstance(kept.get("limit"), int) and kept["limit"] > MAX_LIMIT:
        # saved before a page larger than MAX_LIMIT was refused, when it meant
        # the largest page: it keeps that meaning rather than failing every match
        kept["limit"] = MAX_LIMIT
    return SavedSearch(name, query, kept, datetime.fromisoformat(created), int(seq), int(read))


def _alert(row: Sequence[Any]) -> Alert:
    alert_id, saved, article, story, matched, raw = row
    fields = json.loads(raw)
    return Alert(
        id=int(alert_id),
        saved=saved,
        matched=datetime.fromisoformat(matched),
        article_id=article,
        title=fields.get("title") or "",
        url=fields.get("url"),
        source=fields.get("source"),
        published=_utc(fields.get("published", "").replace("Z", "+00:00") if fields.get("published") else None),
        agencies=tuple(fields.get("agencies") or ()),
        section=fields.get("section"),
        snippet=fields.get("snippet") or "",
        story=int(story) % 2**64,
    )


# Every index gets its saved searches, matched after each commit, through
# the index's hook: the index (a layer below) imports nothing of this module.
attach_living_archive(SavedSearches)
