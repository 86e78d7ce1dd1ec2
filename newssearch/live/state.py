"""What the follower remembers between rounds: ``follow.sqlite`` beside the index.

Per feed: its validators (ETag, Last-Modified) for the next conditional
GET, when it was last fetched, its run of failures with the time it may
be tried again (and when it was stopped, after :data:`STOP_AFTER` permanent
failures in a row), the outlet its entries are credited to (a name given
with ``follow --source``, else the feed's own title); per entry: that it was seen and the article it became, so
that a restart neither fetches its page again nor indexes it twice.

The index, not this file, is what says an article is stored. The follower
writes here only after the commit that stored a feed's new articles, so a
kill in between leaves validators that make the next round fetch the feed
again; its entries are then found in the index by id and skipped.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ..errors import NewsSearchError
from .files import refuse_emptied
from .schemas import FOLLOW_FILE
from .schemas import FOLLOW_SCHEMA as _SCHEMA

__all__ = ["FOLLOW_FILE", "STOP_AFTER", "FeedState", "FeedStatus", "retry_delay"]

#: Columns added to ``feeds`` since the first release, each added to an older file when it is opened.
_ADDED_COLUMNS = {"name": "TEXT", "outlet": "TEXT", "permanent": "INTEGER NOT NULL DEFAULT 0", "stopped": "TEXT"}
#: A feed that fails this many times in a row with an answer that stays the same until
#: someone changes something (HTTP 404 or 410, not a feed...) is no longer fetched: with the
#: doubling wait, its tries span about 21 hours, so a site's outage or a move does not stop it.
STOP_AFTER = 8
#: A failing feed waits this long after its first failure, doubling with each
#: further one, up to a day.
FIRST_RETRY = timedelta(minutes=10)
LONGEST_RETRY = timedelta(days=1)


def retry_delay(failures: int) -> timedelta:
    """How long a feed that failed ``failures`` times in a row waits before it is tried again."""
    if failures <= 0:
        return timedelta(0)
    return min(FIRST_RETRY * (1 << min(failures - 1, 20)), LONGEST_RETRY)


@dataclass(frozen=True)
class FeedStatus:
    """One followed feed as the state records it."""

    url: str
    etag: str | None
    last_modified: str | None
    fetched: datetime | None
    ok: datetime | None
    failures: int
    next_try: datetime | None
    problem: str | None
    name: str | None = None  # given with ``follow --source NAME``: the outlet of its entries
    outlet: str | None = None  # the feed's own title, as last read
    permanent: int = 0  # the failures in a row that will not mend by waiting
    stopped: datetime | None = None  # no longer fetched: STOP_AFTER permanent failures in a row

    def due(self, now: datetime) -> bool:
        """Whether a round at ``now`` fetches it (a failing feed waits its turn; a stopped one is not fetched)."""
        return self.stopped is None and (self.next_try is None or now >= self.next_try)


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class FeedState:
    """The follower's state for one index."""

    def __init__(self, index_path: str | Path) -> None:
        self.path = Path(index_path) / FOLLOW_FILE

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        refuse_emptied(self.path, "the follower's state")
        try:
            con = sqlite3.connect(self.path, timeout=60)
        except sqlite3.Error as exc:
            raise NewsSearchError(f"cannot open the follower's state {self.path}: {exc}") from None
        try:
            con.executescript(_SCHEMA)
            _add_columns(con)
            with con:  # one transaction, committed on success
                yield con
        except sqlite3.Error as exc:
            raise NewsSearchError(f"the follower's state {self.path}: {exc}") from None
        finally:
            con.close()

    def add(self, urls: Iterable[str], now: datetime, *, name: str | None = None) -> None:
        """Remember feeds to follow (known ones are left as they are, but
        for ``name``: the outlet their entries are credited to, when given)."""
        urls = list(urls)
        with self._db() as con:
            con.executemany("INSERT OR IGNORE INTO feeds (url, added) VALUES (?, ?)", [(u, now.isoformat()) for u in urls])
            if name:
                con.executemany("UPDATE feeds SET name = ? WHERE url = ?", [(name, u) for u in urls])

    def remove(self, url: str) -> bool:
        """Stop following a feed; return whether it was followed."""
        with self._db() as con:
            gone = con.execute("DELETE FROM feeds WHERE url = ?", (url,)).rowcount
            con.execute("DELETE FROM seen WHERE feed = ?", (url,))
        return bool(gone)

    def feeds(self) -> list[FeedStatus]:
        """Every followed feed, in the order they were added."""
        if not self.path.exists():
            return []
        with self._db() as con:
            rows = con.execute(
                "SELECT url, etag, last_modified, fetched, ok, failures, next_try, problem, name, outlet, permanent, stopped"
                " FROM feeds ORDER BY rowid"
            ).fetchall()
        return [
            FeedStatus(url, etag, lm, _time(fetched), _time(ok), int(failures), _time(next_try), problem, name, outlet, int(permanent), _time(stopped))
            for url, etag, lm, fetched, ok, failures, next_try, problem, name, outlet, permanent, stopped in rows
        ]

    def status(self, url: str) -> FeedStatus | None:
        """The state of one feed, or None when it is not followed."""
        return next((f for f in self.feeds() if f.url == url), None)

    def seen(self, feed: str, entries: Iterable[str]) -> set[str]:
        """Those of ``entries`` (entry keys) already seen in ``feed``."""
        keys = list(entries)
        if not keys or not self.path.exists():
            return set()
        found: set[str] = set()
        with self._db() as con:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                found.update(row[0] for row in con.execute(f"SELECT entry FROM seen WHERE feed = ? AND entry IN ({marks})", [feed, *chunk]))
        return found

    def succeeded(
        self,
        url: str,
        now: datetime,
        *,
        etag: str | None,
        last_modified: str | None,
        entries: Iterable[tuple[str, str]] = (),
        outlet: str | None = None,
    ) -> None:
        """Record a fetch whose new articles are committed: its validators,
        its entries (``(entry key, article id)``) as seen, and the feed's
        title (``outlet``) when it was read."""
        with self._db() as con:
            con.execute("INSERT OR IGNORE INTO feeds (url, added) VALUES (?, ?)", (url, now.isoformat()))
            con.execute(
                "UPDATE feeds SET etag = ?, last_modified = ?, fetched = ?, ok = ?, failures = 0, next_try = NULL,"
                " problem = NULL, permanent = 0, outlet = coalesce(?, outlet) WHERE url = ?",
                (etag, last_modified, now.isoformat(), now.isoformat(), outlet, url),
            )
            con.executemany(
                "INSERT OR IGNORE INTO seen (feed, entry, article, first_seen) VALUES (?, ?, ?, ?)",
                [(url, entry, article, now.isoformat()) for entry, article in entries],
            )

    def failed(self, url: str, now: datetime, problem: str, *, permanent: bool = False) -> FeedStatus:
        """Record a failed fetch; return the feed's state (failures in a row,
        next try; ``stopped`` once :data:`STOP_AFTER` ``permanent`` ones, those
        that waiting does not mend, came in a row)."""
        with self._db() as con:
            con.execute("INSERT OR IGNORE INTO feeds (url, added) VALUES (?, ?)", (url, now.isoformat()))
            failures, lasting = con.execute("SELECT failures, permanent FROM feeds WHERE url = ?", (url,)).fetchone()
            failures = int(failures) + 1
            lasting = int(lasting) + 1 if permanent else 0
            next_try = now + retry_delay(failures)
            stopped = now.isoformat() if lasting >= STOP_AFTER else None
            con.execute(
                "UPDATE feeds SET fetched = ?, failures = ?, next_try = ?, problem = ?, permanent = ?, stopped = ? WHERE url = ?",
                (now.isoformat(), failures, next_try.isoformat(), problem, lasting, stopped, url),
            )
        status = self.status(url)
        assert status is not None
        return status


def _add_columns(con: sqlite3.Connection) -> None:
    """Bring a ``follow.sqlite`` written by an older release up to date (new columns, their defaults)."""
    have = {row[1] for row in con.execute("PRAGMA table_info(feeds)")}
    for column, kind in _ADDED_COLUMNS.items():
        if column not in have:
            con.execute(f"ALTER TABLE feeds ADD COLUMN {column} {kind}")


def utcnow() -> datetime:
    """The clock, in UTC."""
    return datetime.now(timezone.utc)
