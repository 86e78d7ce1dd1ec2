"""What hostile and odd input costs: exit code, message, peak RSS, seconds.

Run by hand (``tests/test_hostile_input.py`` checks each case at small
sizes)::

    python bench/hostile.py                 # the table, at the sizes of the audit
    python bench/hostile.py --small         # a quick run at a tenth of the sizes
    python bench/hostile.py --follow-only   # only the hostile feeds and servers (follow_rows)

Every input is generated in a scratch folder (nothing is committed): a gzip
bomb, a one-line text file, a CSV with one huge field, a huge article body
searched with snippets, an oversized stdin, a FIFO and a symlink out of the
folder, a file name that is not UTF-8, a lock file replaced by a symlink,
one NUL byte in a Reuters-21578 file, a truncated postings file.
Each command runs as its own process; peak RSS is that process's (from
``wait4``), seconds are wall clock.
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NEWSSEARCH_SHARED", ROOT.parent / "shared"))
NS = [sys.executable, "-m", "newssearch"]


def run(args: list[str], stdin_file: Path | None = None) -> tuple[int, str, float, float]:
    """Run one command; return (exit code, last stderr line, peak RSS MiB, seconds)."""
    err = tempfile.TemporaryFile()
    out = tempfile.TemporaryFile()
    stdin = stdin_file.open("rb") if stdin_file else subprocess.DEVNULL
    t0 = time.perf_counter()
    proc = subprocess.Popen(args, stdin=stdin, stdout=out, stderr=err)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if stdin_file:
        stdin.close()  # type: ignore[union-attr]
    err.seek(0)
    out.seek(0)
    lines = [line for line in err.read().decode("utf-8", "replace").splitlines() if line.strip()]
    lines += [line for line in out.read().decode("utf-8", "replace").splitlines()[:1] if line.strip()]
    interesting = [line for line in lines if line.startswith(("Error", "Warning", "Skipped", "damaged"))] or lines or [""]
    return proc.returncode, interesting[0][:150], usage.ru_maxrss / 1024, seconds


def story(n: int) -> str:
    return f"Harbour reopens after storm {n}\n\nThe harbour reopened on Monday after the storm, officials said.\n"


def cases(work: Path, scale: float) -> list[tuple[str, list[str], Path | None]]:
    """(what, command, stdin file) for every hostile input, generated in ``work``."""
    mb = 2**20
    out: list[tuple[str, list[str], Path | None]] = []
    ix = str(work / "ix")

    bomb = work / "bomb" / "page.html.gz"
    bomb.parent.mkdir()
    size = int(2700 * mb * scale)
    with gzip.open(bomb, "wb", compresslevel=9) as f:
        f.write(b"<html><body><p>")
        block = b"a" * mb
        for _ in range(size // mb):
            f.write(block)
    out.append((f"{bomb.stat().st_size / mb:.1f} MB .html.gz inflating to {size / mb:,.0f} MB",
                NS + ["index", str(bomb), "--index", ix + "1"], None))

    line = work / "line" / "line.txt"
    line.parent.mkdir()
    with line.open("w") as f:
        chunk = "word " * (mb // 5)
        for _ in range(int(300 * scale)):
            f.write(chunk)
    out.append((f"{line.stat().st_size / mb:,.0f} MB one-line .txt", NS + ["index", str(line), "--index", ix + "2"], None))

    rows = work / "rows" / "rows.csv"
    rows.parent.mkdir()
    with rows.open("w") as f:
        f.write("title,text\nFirst,Short body.\nHuge,")
        chunk = "word " * (mb // 5)
        for _ in range(int(100 * scale)):
            f.write(chunk)
        f.write("\nLast,Short body.\n")
    out.append((f"CSV with a {int(100 * scale)} MB field", NS + ["index", str(rows), "--index", ix + "3"], None))

    big = work / "big" / "big.txt"
    big.parent.mkdir()
    body = ("alpha beta gamma delta " * (4 * mb // 23 + 1))[: int(4 * mb * max(scale, 0.25))]
    big.write_text("A very long article\n\n" + body)
    subprocess.run(NS + ["index", str(big), "--index", ix + "4", "-q"], check=True)
    out.append((f"search alpha, one {len(body) / mb:.0f} MB body (snippet)", NS + ["search", "alpha", "--index", ix + "4"], None))

    stdin = work / "stdin.txt"
    with stdin.open("w") as f:
        chunk = "word " * (mb // 5)
        for _ in range(int(600 * scale)):
            f.write(chunk)
    limit = max(1, int(512 * scale))
    out.append((f"{stdin.stat().st_size / mb:,.0f} MB on stdin (--max-input-mb {limit})",
                NS + ["index", "-", "--index", ix + "5", "--max-input-mb", str(limit)], stdin))

    folder = work / "folder"
    folder.mkdir()
    (folder / "a.txt").write_text(story(1))
    os.mkfifo(folder / "pipe.txt")
    (folder / "passwd.txt").symlink_to("/etc/passwd")
    out.append(("folder with a FIFO and a symlink to /etc/passwd", NS + ["index", str(folder), "--index", ix + "6"], None))

    names = work / "names"
    names.mkdir()
    (names / "good.txt").write_text(story(2))
    with open(os.path.join(os.fsencode(names), b"bad\xff.txt"), "w") as f:  # a name that is not UTF-8
        f.write(story(3))
    out.append(("folder with good.txt and bad<0xff>.txt", NS + ["index", str(names), "--index", ix + "9"], None))

    linked = Path(ix + "10")  # its lock file replaced by a symlink to another file
    subprocess.run(NS + ["index", str(names / "good.txt"), "--index", str(linked), "-q"], check=True)
    (work / "victim.txt").write_text("kept\n")
    (linked / "newssearch_WRITELOCK").unlink(missing_ok=True)
    (linked / "newssearch_WRITELOCK").symlink_to(work / "victim.txt")
    out.append(("index, the lock file a symlink to another file", NS + ["index", str(folder / "a.txt"), "--index", str(linked)], None))

    sgm = SHARED / "data" / "reuters21578" / "reut2-000.sgm"
    if sgm.exists():
        data = sgm.read_bytes()
        damaged = work / "nul" / "reut2-000.sgm"
        damaged.parent.mkdir()
        damaged.write_bytes(data[:5000] + b"\x00" + data[5000:])
        out.append(("Reuters-21578 file (1,000 articles) with one NUL", NS + ["index", str(damaged), "--index", ix + "7"], None))

    examples = ROOT / "examples"
    subprocess.run(NS + ["index", str(examples), "--index", ix + "8", "-q"], check=True)
    (pst,) = Path(ix + "8").glob("*.pst")
    os.truncate(pst, pst.stat().st_size // 2)
    out.append(("search oil, postings file truncated", NS + ["search", "oil", "--index", ix + "8"], None))
    out.append(("check, postings file truncated", NS + ["check", "--index", ix + "8"], None))
    return out


# --- hostile feeds and servers: the follower ------------------------------------------------------

FOLLOW_LIMIT = 120.0  # seconds a follower case may run before it is killed (and the row says so)


def run_for(args: list[str], limit: float) -> tuple[int | str, str, float, float]:
    """Like :func:`run`, but killed after ``limit`` seconds (exit shown as ``killed after N s``)."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        code: int | str
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                code = os.waitstatus_to_exitcode(status)
                break
            if time.perf_counter() - t0 > limit:
                proc.kill()
                _, status, usage = os.wait4(proc.pid, 0)
                code = f"killed after {limit:.0f} s"
                break
            time.sleep(0.05)
        proc.returncode = -1  # reaped above
        seconds = time.perf_counter() - t0
        err.seek(0)
        lines = [line.strip() for line in err.read().decode("utf-8", "replace").splitlines() if line.strip()]
    interesting = [line for line in lines if line.startswith(("Error", "page not fetched", "entry skipped", "failed"))] or lines or [""]
    return code, interesting[0][:150], usage.ru_maxrss / 1024, seconds


def follow_rows(work: Path) -> list[tuple[str, int | str, str, float, float]]:
    """The follower against hostile feeds and servers, all on loopback (servers in this process):
    a lone surrogate in an entry, headers trickled a byte every 0.5 s, entries and a redirect
    pointing at another (intranet) server, and two followers started 0.3 s apart."""
    sys.path.insert(0, str(ROOT))
    # the tests' real HTTP server; imported here (lazy), as only this block needs it and ROOT on the path
    from tests.loopback import Loopback

    rss = "application/rss+xml"

    def feed(*items: str) -> str:
        return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Herald</title>'
                "<link>https://news.example.org/</link><description>x</description>" + "".join(items) + "</channel></rss>")

    def item(n: int, title: str, link: str, body: str = "Teaser.") -> str:
        return (f"<item><title>{title}</title><guid>urn:h:{n}</guid><link>{link}</link>"
                f"<pubDate>Mon, 01 Dec 2025 10:{n:02d}:00 GMT</pubDate><description>{body}</description></item>")

    long = "The port authority said on Tuesday that container traffic rose for a fourth month. " * 12
    rows = []
    with Loopback() as site, Loopback() as intranet:
        intranet.add("/secret", f"<html><head><title>Payroll</title></head><body><article><p>{long}</p></article></body></html>")
        site.add("/bad.xml", feed(item(1, "Bad &#xD800; title", "https://news.example.org/a/1", long),
                                  item(2, "Fine title", "https://news.example.org/a/2", long)), content_type=rss)
        site.add("/good.xml", feed(item(3, "Another title", "https://news.example.org/b/3", long)), content_type=rss)
        site.add("/trickle.xml", feed(item(4, "Slow", "https://news.example.org/c/4", long)), content_type=rss, header_delay=0.5,
                 headers={"X-Pad": "a" * 300})
        site.add("/hop", redirect=intranet.url + "/secret")
        site.add("/inward.xml", feed(item(5, "Teaser one", intranet.url + "/secret"), item(6, "Teaser two", site.url + "/hop")), content_type=rss)
        for n in range(12):
            site.add(f"/p/{n}", f"<html><head><title>Weir {n}</title></head><body><article><p>Lock gates at weir {n}. {long}</p></article></body></html>", delay=0.3)
        site.add("/slow.xml", feed(*(item(n, f"Weir {n}", f"{site.url}/p/{n}") for n in range(12))), content_type=rss)

        def follow(name: str, *args: str) -> list[str]:
            return NS + ["follow", *args, "--once", "--delay", "0", "--index", str(work / name)]

        cases = [
            ("follow: an entry titled &#xD800; beside a good feed", follow("f1", site.url + "/bad.xml", site.url + "/good.xml")),
            ("follow --timeout 5: headers sent a byte every 0.5 s", follow("f2", site.url + "/trickle.xml", "--timeout", "5")),
            ("follow: entries linking to an intranet server, directly and by redirect", follow("f3", site.url + "/inward.xml")),
        ]
        for what, cmd in cases:
            rows.append((what, *run_for(cmd, FOLLOW_LIMIT)))
        first = subprocess.Popen(follow("f4", site.url + "/slow.xml"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.3)
        rows.append(("follow: a second follower started 0.3 s after the first", *run_for(follow("f4", site.url + "/slow.xml"), FOLLOW_LIMIT)))
        first.wait()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="a tenth of the sizes")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--follow-only", action="store_true", help="only the follower's cases (follow_rows)")
    args = parser.parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="newssearch-hostile-"))
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        rows = [] if args.follow_only else [(what, *run(cmd, stdin)) for what, cmd, stdin in cases(work, 0.1 if args.small else 1.0)]
        rows += follow_rows(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("| input | exit | message | peak RSS MiB | seconds |")
    print("|---|---|---|---|---|")
    for what, code, message, rss, seconds in rows:
        shown = message.replace("|", "\\|").replace(str(work), "…")
        print(f"| {what} | {code} | {shown} | {rss:,.0f} | {seconds:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
