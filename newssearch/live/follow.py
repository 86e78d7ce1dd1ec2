"""Following feeds: fetch them politely, index what is new, deliver the alerts.

A :class:`Follower` runs rounds. Each round fetches every followed feed that
is due (a conditional GET through :mod:`.fetch`; a feed that keeps failing
waits longer each time, see :func:`.state.retry_delay`), reads it with the
feed reader every other feed file goes through, and keeps the entries it
has not met before (neither in its state nor, by id, in the index). Feeds
and pages are fetched by worker threads, one per host (up to
:data:`PARALLEL_HOSTS`): politeness bounds each host to one request per
``delay``, so a round over many sites would otherwise take the sum of their
waits. Only this thread touches the index and the state.

An entry whose text in the feed is short (under :data:`FULL_TEXT_WORDS`
words: a summary, a teaser, a headline; whether the feed called it
``content`` or ``description`` says little, as many feeds put a teaser in
``content:encoded``) and that links to a page has its page fetched and read
through the HTML path, so the article is the page's text with the page's
own date and where it came from (``date_source``: ``json-ld``, ``meta``...).
When the page gives no date the feed's is kept (``feed``); when neither
gives a usable one (missing, or in the future), the article is dated when
the follower first saw it, and says so (``date_source="seen"``). A page that
cannot be fetched or read leaves the feed's text: nothing is lost. Either
way the article's outlet (``source``) is the feed's: the name given with
``source=`` (``follow --source NAME``), else the feed's title, so that a
saved search filtered by outlet does not depend on whether a page was
fetched; the page's own site name (``og:site_name``..., else its domain),
where it is another, is kept beside it as ``site``.

A feed that fails :data:`~.state.STOP_AFTER` times in a row with an answer
that waiting does not mend (HTTP 404 or 410, not a feed, refused) is no
longer fetched: the round that stops it says so once, and ``follow list``
shows it; forgetting it (``follow remove``) and giving it again starts anew.

New articles are indexed in batches (one commit per :attr:`batch` articles
and at the end of a round); after each commit the saved searches are
matched against them and the new alerts are handed to ``on_alert``. A
feed's validators and seen entries are recorded only after the commit that
stored its articles (:mod:`.state`). :meth:`Follower.stop` (the CLI calls it
on Ctrl-C or SIGTERM) ends the round at the next feed or page, after
committing what was already fetched.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlsplit

from ..analysis import TOKEN_RE
from ..errors import EmptyFeed, FetchError, IngestError, NewsSearchError
from ..ingest.base import Notice, ReadOptions, Source
from ..ingest.encoding import decode_markup
from ..ingest.feeds import read_feed
from ..model import Article
from .addresses import AddressPolicy
from .feedlist import check_url, unique
from .fetch import Fetcher, HostStats, Politeness
from .running import FollowLock
from .state import FeedState, FeedStatus, utcnow

if TYPE_CHECKING:
    from ..index import NewsIndex
    from .saved import Alert

__all__ = ["FULL_TEXT_WORDS", "FeedResult", "FollowReport", "Follower"]

#: Feed text shorter than this (in words) is a summary: the entry's page is fetched.
FULL_TEXT_WORDS = 80
#: Hosts fetched from at once (each still one request at a time, ``delay`` apart).
PARALLEL_HOSTS = 8
#: How long robots.txt answers are trusted (seconds): RFC 9309 asks for no more than a day.
ROBOTS_TTL = 24 * 3600.0


@dataclass
class FeedResult:
    """What one round did with one feed: ``status`` is ``new`` (fetched and
    read; ``new`` entries of ``entries``), ``not modified`` (304),
    ``failed`` (``problem``; ``failures`` in a row, tried again at
    ``next_try``, or no more when ``stopped``), ``waiting`` (backing off
    until ``next_try``) or ``stopped`` (no longer fetched)."""

    url: str
    status: str
    entries: int = 0
    new: int = 0
    problem: str | None = None
    failures: int = 0
    next_try: datetime | None = None
    stopped: bool = False


@dataclass
class FollowReport:
    """What one round did (the CLI prints it on stderr; ``--json`` as one object)."""

    started: datetime
    feeds: list[FeedResult] = field(default_factory=list)
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    pages: int = 0
    page_failures: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # entries not indexed, each with why
    dated_when_seen: int = 0
    notices: list[str] = field(default_factory=list)
    alerts: int = 0
    commits: int = 0
    hosts: dict[str, HostStats] = field(default_factory=dict)
    elapsed: float = 0.0
    stopped: bool = False

    @property
    def failed(self) -> list[FeedResult]:
        """The feeds that failed this round."""
        return [f for f in self.feeds if f.status == "failed"]

    def as_dict(self) -> dict[str, object]:
        """The report as JSON-ready values."""
        return {
            "started": self.started.isoformat().replace("+00:00", "Z"),
            "feeds": [dataclasses.asdict(f) | {"next_try": f.next_try.isoformat() if f.next_try else None} for f in self.feeds],
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "pages": self.pages,
            "page_failures": self.page_failures,
            "skipped": self.skipped,
            "dated_when_seen": self.dated_when_seen,
            "notices": self.notices,
            "alerts": self.alerts,
            "commits": self.commits,
            "hosts": {host: dataclasses.asdict(stats) for host, stats in self.hosts.items()},
            "elapsed": round(self.elapsed, 3),
            "stopped": self.stopped,
        }


@dataclass
class _FeedRead:
    """What fetching one feed gave (a worker thread's answer to the round)."""

    problem: str | None = None
    permanent: bool = False  # the problem will not mend by waiting (see state.STOP_AFTER)
    not_modified: bool = False
    outlet: str | None = None  # the feed's own title, as its reader credits the entries
    etag: str | None = None
    last_modified: str | None = None
    articles: list[Article] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


@dataclass
class _Completed:
    """One entry made an article (a worker thread's answer): its page fetched or not."""

    article: Article
    pages: int = 0
    failures: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    dated_when_seen: bool = False
    skipped: str | None = None  # why the entry is not indexed (it stays unseen: a later round tries again)


@dataclass
class _Fetched:
    """A feed read this round, recorded in the state once its articles are committed."""

    url: str
    etag: str | None
    last_modified: str | None
    entries: list[tuple[str, str]]
    outlet: str | None = None


class Follower:
    """Follows feeds into one index (see the module docstring).

    ``feeds``: URLs to follow (remembered in ``follow.sqlite``; without
    any, the feeds followed before); ``politeness``: delays, timeouts,
    retries and the size cap (:class:`~newssearch.live.fetch.Politeness`);
    ``batch``: articles per commit; ``tz``: the zone for feed times printed
    without one; ``on_alert``: called with each new alert after the commit
    that raised it; it returns whether the alert was delivered (an alert not
    delivered is offered again after the next commit); ``on_notice``: called
    with each warning (a date not used, a page not fetched); ``wait``: how
    long a commit waits for another writer (``index`` running meanwhile);
    ``addresses``: where connections may go (:mod:`.addresses`: public
    addresses, and non-public ones only on the host and port of a feed
    followed, unless ``allow_private``; the followed feeds' hosts are
    added to its trusted ones here); ``source``: the outlet to credit the
    entries of the feeds given with (remembered; else each feed's title).

    One follower runs on an index at a time: :meth:`round` (and
    :meth:`run`, for all its rounds) holds ``follow.lock`` beside the index
    and raises :class:`~newssearch.errors.FollowerRunning` when another
    holds it, so no alert is delivered twice."""

    def __init__(
        self,
        index: NewsIndex,
        feeds: Iterable[str] = (),
        *,
        politeness: Politeness | None = None,
        batch: int = 100,
        tz: str | tzinfo | None = None,
        full_text_words: int = FULL_TEXT_WORDS,
        on_alert: Callable[[Alert], bool] | None = None,
        on_notice: Callable[[str], None] | None = None,
        wait: float = 60.0,
        addresses: AddressPolicy | None = None,
        source: str | None = None,
    ) -> None:
        self.index = index
        self.wait = wait
        self.state = FeedState(index.path)
        self._given = unique(check_url(u) for u in feeds)
        self._source = source.strip() if source and source.strip() else None
        self.politeness = politeness or Politeness()
        self.batch = max(1, batch)
        self.full_text_words = full_text_words
        self._tz = tz
        self._on_alert = on_alert
        self._on_notice = on_notice
        self._stop = threading.Event()
        self._abort = threading.Event()  # this round failed: its workers stop
        self._fetcher: Fetcher | None = None
        self._fetcher_since = 0.0
        self.addresses = addresses or AddressPolicy()
        self._lock = FollowLock(index.path)

    # --- control -------------------------------------------------------
    def stop(self) -> None:
        """Ask the follower to stop: the round commits what it fetched and
        ends at the next feed or page; :meth:`run` returns after it."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        """Whether :meth:`stop` was called."""
        return self._stop.is_set()

    def feeds(self) -> list[str]:
        """The feeds a round fetches: those given, else every feed followed
        before and not stopped (a stopped feed given again is reported, not fetched)."""
        return self._given or [f.url for f in self.state.feeds() if f.stopped is None]

    def followed(self) -> list[FeedStatus]:
        """Every feed followed (remembered in ``follow.sqlite``), stopped ones
        included: when each was last fetched, its failures, its next try."""
        return self.state.feeds()

    def unfollow(self, url: str) -> bool:
        """Forget a followed feed and the entries seen in it (its articles
        stay in the index); return whether it was followed. Given again, it
        is followed anew (its entries already indexed are found by id)."""
        return self.state.remove(check_url(url))

    def run(
        self,
        every: timedelta,
        *,
        on_round: Callable[[FollowReport], None] | None = None,
        on_error: Callable[[NewsSearchError], None] | None = None,
    ) -> None:
        """Run rounds every ``every`` (from the start of one to the start of
        the next) until :meth:`stop`. A round that fails as a whole (the
        index locked by another writer past the wait, a full disk) is
        passed to ``on_error`` (raised without one) and the next round
        tries again: what it fetched was not recorded, so nothing is lost."""
        with self._holding():  # between rounds too: a second follower is refused, not interleaved
            while not self.stopping:
                started = time.monotonic()
                try:
                    report = self.round()
                except NewsSearchError as exc:
                    if on_error is None:
                        raise
                    on_error(exc)
                else:
                    if on_round is not None:
                        on_round(report)
                self._stop.wait(max(0.0, every.total_seconds() - (time.monotonic() - started)))

    @contextmanager
    def _holding(self) -> Iterator[None]:
        """Hold the follower lock for the block (kept when already held, by :meth:`run`)."""
        if self._lock.held:
            yield
            return
        self._lock.acquire()
        try:
            yield
        finally:
            self._lock.release()

    # --- one round -----------------------------------------------------
    def round(self) -> FollowReport:
        """Fetch every due feed once, index what is new, deliver the alerts.

        Feeds, then pages, are fetched from up to :data:`PARALLEL_HOSTS`
        hosts at once, each host one request at a time (``delay`` apart);
        everything that touches the index or the state happens in this
        thread, in the order the feeds were given."""
        with self._holding():
            return self._round()

    def _round(self) -> FollowReport:
        now = utcnow()
        report = FollowReport(started=now)
        clock = time.perf_counter()
        feeds = self.feeds()
        if not feeds:
            raise NewsSearchError("no feeds to follow: give feed URLs or --feeds FILE")
        self.state.add(feeds, now, name=self._source if self._given else None)
        status = {f.url: f for f in self.state.feeds()}
        options = ReadOptions.build(tz=self._tz, now=now)
        fetcher = self._fresh_fetcher(self.addresses.trusting(feeds))
        before = fetcher.host_stats()
        self._abort.clear()
        due = []
        for url in feeds:
            st = status[url]
            if st.stopped is not None:
                report.feeds.append(FeedResult(url, "stopped", problem=st.problem, failures=st.failures, stopped=True))
            elif st.due(now):
                due.append(url)
            else:
                report.feeds.append(FeedResult(url, "waiting", problem=st.problem, failures=st.failures, next_try=st.next_try))
        try:
            with ThreadPoolExecutor(max_workers=PARALLEL_HOSTS, thread_name_prefix="newssearch-fetch") as pool:
                reads = _by_host(pool, due, lambda url: self._fetch_feed(url, status[url], options))
                entries: list[tuple[_Fetched, str, Article]] = []
                records: list[_Fetched] = []
                for url, feed_read in zip(due, reads):
                    read = self._take_feed(url, feed_read.result(), report)
                    if read is not None:
                        record, fresh = read
                        records.append(record)
                        entries += [(record, key, article) for key, article in fresh]
                pages = _by_host(
                    pool, [a for _r, _k, a in entries], lambda article: self._complete(article, now, options), host=lambda a: a.url or ""
                )
                left = {id(r): sum(1 for e in entries if e[0] is r) for r in records}
                batch: list[Article] = []
                done: list[_Fetched] = [r for r in records if not left[id(r)]]
                for (record, key, _entry), page_done in zip(entries, pages):
                    completed = page_done.result()
                    if completed is None:  # stopped: this feed's other entries are fetched next time
                        report.stopped = True
                        left[id(record)] = -1
                        continue
                    self._log_page(completed, report)
                    if completed.skipped is None:
                        batch.append(completed.article)
                        record.entries.append((key, completed.article.id))
                    left[id(record)] -= 1
                    if left[id(record)] == 0:
                        done.append(record)  # recorded once all its entries are committed
                    if len(batch) >= self.batch:
                        self._commit(batch, done, report)
                        batch, done = [], []
                self._commit(batch, done, report)
        except BaseException:
            self._abort.set()  # the workers end at their next item, so leaving the pool does not wait for them all
            raise
        finally:
            report.hosts = _since(before, fetcher.host_stats())
            report.elapsed = time.perf_counter() - clock
        if self.stopping:
            report.stopped = True
        return report

    def _fresh_fetcher(self, addresses: AddressPolicy) -> Fetcher:
        """The fetcher, kept across rounds (robots.txt is fetched once per
        host) but replaced after :data:`ROBOTS_TTL`, so a site's new rules
        are read at least daily, and when the address policy changed."""
        fetcher = self._fetcher
        if fetcher is None or time.monotonic() - self._fetcher_since > ROBOTS_TTL or fetcher.addresses != addresses:
            if fetcher is not None:
                fetcher.close()
            fetcher = self._fetcher = Fetcher(self.politeness, addresses)
            self._fetcher_since = time.monotonic()
        return fetcher

    def close(self) -> None:
        """Close the HTTP connections (a follower is usable again after)."""
        if self._fetcher is not None:
            self._fetcher.close()
            self._fetcher = None

    def _fetch_feed(self, url: str, st: FeedStatus, options: object) -> _FeedRead | None:
        """Fetch and read one feed (in a worker thread: no index, no state); None when stopping."""
        if self.stopping or self._abort.is_set():
            return None
        assert self._fetcher is not None
        try:
            response = self._fetcher.get(url, etag=st.etag, last_modified=st.last_modified)
        except FetchError as exc:
            return _FeedRead(problem=exc.problem, permanent=not exc.retryable)
        if response.not_modified:
            return _FeedRead(etag=response.etag or st.etag, last_modified=response.last_modified or st.last_modified, not_modified=True)
        read = _FeedRead(etag=response.etag, last_modified=response.last_modified)
        source = Source(name=url, _data=response.body, limit=self.politeness.max_bytes)
        try:
            for item in read_feed(source, options):  # type: ignore[arg-type]
                if isinstance(item, Article):
                    read.articles.append(item)
                elif isinstance(item, (Notice, IngestError)):
                    read.notices.append(str(item))
        except EmptyFeed:
            read.articles = []  # a quiet feed, not a broken one
        except IngestError as exc:
            return _FeedRead(problem=exc.problem, permanent=True, notices=read.notices)
        except RecursionError:
            return _FeedRead(problem="feed is nested too deeply to read", permanent=True, notices=read.notices)
        except Exception as exc:  # noqa: BLE001 - a reader's bug on one feed must not end the round (as read_source does for files)
            return _FeedRead(problem=f"cannot read the feed ({type(exc).__name__}: {exc})", notices=read.notices)
        read.outlet = next((a.source for a in read.articles if a.source), None)
        if st.name:  # the outlet given with --source, whatever the feed calls itself
            read.articles = [dataclasses.replace(a, source=st.name) for a in read.articles]
        return read

    def _take_feed(self, url: str, read: _FeedRead | None, report: FollowReport) -> tuple[_Fetched, list[tuple[str, Article]]] | None:
        """Account for one feed's fetch; its record and its new entries (``(entry key, article)``)."""
        now = utcnow()
        if read is None:
            report.stopped = True
            return None
        for notice in read.notices:
            self._notice(notice, report)
        if read.problem is not None:
            st = self.state.failed(url, now, read.problem, permanent=read.permanent)
            stopped = st.stopped is not None
            report.feeds.append(FeedResult(url, "failed", problem=read.problem, failures=st.failures, next_try=None if stopped else st.next_try, stopped=stopped))
            return None
        if read.not_modified:
            report.feeds.append(FeedResult(url, "not modified"))
            self.state.succeeded(url, now, etag=read.etag, last_modified=read.last_modified)
            return None
        keys = {(a.url or a.id): a for a in read.articles}
        seen = self.state.seen(url, keys)
        snapshot = self.index.session().snapshot
        fresh = [(k, a) for k, a in keys.items() if k not in seen and snapshot.docnum_for_id(a.id) is None]
        report.feeds.append(FeedResult(url, "new", entries=len(read.articles), new=len(fresh)))
        return _Fetched(url, read.etag, read.last_modified, [(k, keys[k].id) for k in seen], read.outlet), fresh

    def _complete(self, entry: Article, now: datetime, options: object) -> _Completed | None:
        """The article to index for a feed entry (in a worker thread): its
        page's when the feed has only a summary and the page can be read,
        dated as the module docstring says. None when stopping."""
        if self.stopping or self._abort.is_set():
            return None
        done = _Completed(entry)
        try:
            if entry.url and len(TOKEN_RE.findall(entry.body)) < self.full_text_words:
                page = self._page(entry, options, done)
                if page is not None:
                    done.article = page
            if done.article.published is None:
                done.dated_when_seen = True
                done.article = dataclasses.replace(done.article, published=now, date_source="seen", tz_assumed=False)
        except Exception as exc:  # noqa: BLE001 - one bad entry is skipped and named, never the round
            done.skipped = f"{entry.url or repr(entry.title[:60])}: {type(exc).__name__}: {exc}"
        return done

    def _page(self, entry: Article, options: object, done: _Completed) -> Article | None:
        # lazy: the HTML reader loads lxml and trafilatura, needed only for feeds without full text
        from ..ingest.htmlpage import article_from_html

        assert self._fetcher is not None and entry.url is not None
        try:
            response = self._fetcher.get(entry.url)
        except FetchError as exc:
            done.failures.append(str(exc))
            return None
        done.pages += 1
        kind = (response.content_type or "text/html").split(";")[0].strip().lower()
        if kind not in ("text/html", "application/xhtml+xml", "text/plain", ""):
            done.failures.append(f"{entry.url}: not an HTML page ({kind}); kept the feed's text")
            return None
        source = Source(name=response.final_url, _data=response.body, limit=self.politeness.max_bytes)
        page: Article | None = None
        try:
            for item in article_from_html(decode_markup(response.body, response.content_type), source, options, url=response.final_url):  # type: ignore[arg-type]
                if isinstance(item, Article):
                    page = item
                elif isinstance(item, Notice):
                    done.notices.append(str(item))
        except IngestError as exc:
            done.failures.append(f"{exc}; kept the feed's text")
            return None
        except Exception as exc:  # noqa: BLE001 - a reader's bug on one page costs its text, not the round
            done.failures.append(f"{response.final_url}: cannot read the page ({type(exc).__name__}: {exc}); kept the feed's text")
            return None
        if page is None:
            return None
        changes: dict[str, object] = {}  # its path stays the page's URL: where its text was read
        if page.published is None and entry.published is not None:
            changes.update(published=entry.published, date_source=entry.date_source, tz_assumed=entry.tz_assumed)
        if not page.title and entry.title:
            changes["title"] = entry.title
        if entry.source:  # the feed's outlet, whether or not its page was fetched
            changes["source"] = entry.source
            if page.source and page.source.casefold() != entry.source.casefold():
                changes["site"] = page.source  # the page's own site name, kept beside it
        return dataclasses.replace(page, **changes)  # type: ignore[arg-type]

    def _log_page(self, done: _Completed, report: FollowReport) -> None:
        report.pages += done.pages
        report.page_failures += done.failures
        report.dated_when_seen += int(done.dated_when_seen)
        for notice in done.notices:
            self._notice(notice, report)
        if done.skipped is not None:
            report.skipped.append(done.skipped)

    def _commit(self, batch: Sequence[Article], fetched: Sequence[_Fetched], report: FollowReport) -> None:
        """Index a batch in one commit, then record its feeds, then deliver the alerts it raised."""
        if batch:
            with self.index.writer(timeout=self.wait) as w:
                for article in batch:
                    w.add(article)
            report.added += w.report.added
            report.updated += w.report.updated
            report.unchanged += w.report.unchanged + w.report.duplicates
            report.alerts += w.report.alerts
            report.commits += int(w.report.committed)
            if w.report.alert_problem:
                self._notice(f"saved searches not matched yet: {w.report.alert_problem}", report)
        now = utcnow()
        for record in fetched:
            self.state.succeeded(record.url, now, etag=record.etag, last_modified=record.last_modified, entries=record.entries, outlet=record.outlet)
        self.deliver()

    def deliver(self) -> int:
        """Hand the alerts not yet delivered to ``on_alert``, oldest first; return how many it took."""
        if self._on_alert is None:
            return 0
        done = []
        try:
            for alert in self.index.saved.undelivered():
                if self._on_alert(alert):
                    done.append(alert.id)
        finally:
            self.index.saved.mark_delivered(done)
        return len(done)

    def _notice(self, message: str, report: FollowReport) -> None:
        report.notices.append(message)
        if self._on_notice is not None:
            self._on_notice(message)


def _since(before: dict[str, HostStats], after: dict[str, HostStats]) -> dict[str, HostStats]:
    """Per host, what was done between two snapshots of the fetcher's figures."""
    out = {}
    for host, now in after.items():
        was = before.get(host, HostStats())
        delta = HostStats(
            requests=now.requests - was.requests,
            bytes=now.bytes - was.bytes,
            waited=now.waited - was.waited,
            errors=now.errors - was.errors,
            busy=now.busy - was.busy,
        )
        if delta.requests:
            out[host] = delta
    return out


_T = TypeVar("_T")
_R = TypeVar("_R")


def _host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _by_host(pool: ThreadPoolExecutor, items: Sequence[_T], work: Callable[[_T], _R], host: Callable[[_T], str] | None = None) -> list[Future[_R]]:
    """``work`` on every item, one item at a time per host (the items of a
    host in their order), hosts in parallel on ``pool``; a future per item,
    in the items' order."""
    futures: list[Future[_R]] = [Future() for _ in items]
    groups: dict[str, list[int]] = {}
    for i, item in enumerate(items):
        key = _host_of(host(item)) if host is not None else _host_of(str(item))
        groups.setdefault(key, []).append(i)

    def run(indexes: list[int]) -> None:
        for i in indexes:
            future = futures[i]
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(work(items[i]))
            except BaseException as exc:  # noqa: BLE001 - handed to the thread that waits for it
                future.set_exception(exc)

    for indexes in groups.values():
        pool.submit(run, indexes)
    return futures
