"""The start-up budget, pinned by what loads rather than by a stopwatch
(issue 23; the times are in ``bench/startup.py`` and the README's
Benchmarks section).

``import newssearch`` loads the errors and the records only: Whoosh, numpy,
dateutil and the rest load with the first name that needs them
(``newssearch.__getattr__``), so a program that imports the package to
catch its errors, or a command that never opens an index, does not pay
~100 ms for them. The CLI loads a command's module when the command runs
(``newssearch.cli.lazy``): a search loads the search engine but none of the
readers', the writers' or the server's libraries, nor the other commands.

Each check runs in a fresh interpreter, since this one has loaded
everything already.
"""

from __future__ import annotations

import json
import subprocess
import sys

import newssearch as ns
from tests.helpers import many_articles

#: Loaded by ``import newssearch`` before issue 23, and not since.
HEAVY_FOR_A_PLAIN_IMPORT = ("whoosh", "numpy", "dateutil", "Stemmer", "multiprocessing", "sqlite3", "click")

#: Never loaded by ``import newssearch.cli``: only ``index``, ``follow`` and ``serve`` use them.
NOT_FOR_A_SEARCH = ("trafilatura", "lxml", "feedparser", "warcio", "charset_normalizer", "requests",
                    "starlette", "uvicorn", "tqdm")


#: Modules a search does not use, loaded only by the code that does: numpy's
#: random numbers (the story signatures of new articles) and the installed
#: packages' metadata (the versions written when an index is created).
NOT_FOR_A_SEARCH_MODULES = ("numpy.random", "importlib.metadata")

#: Loaded by ``newssearch search`` before the commands loaded lazily (issue
#: 23), and not since: the writers (multiprocessing, Whoosh's multiprocess
#: writer, the segment writer), saved searches and the follower's state
#: (sqlite3), and the other commands' modules with what they load (the
#: server's configuration, the feed lists, the cluster client).
NOT_FOR_A_CLI_SEARCH = (
    "multiprocessing", "sqlite3", "whoosh.multiproc", "newssearch.write.articles", "newssearch.write.compact",
    "newssearch.engine.writing", "newssearch.engine.fastwrite", "newssearch.live.saved", "newssearch.live.files",
    "newssearch.cli.indexing", "newssearch.cli.upkeep", "newssearch.cli.export", "newssearch.cli.saved",
    "newssearch.cli.follow", "newssearch.cli.serve", "newssearch.web", "newssearch.cluster.client",
)

#: Runs one CLI search in the interpreter (as ``python -m newssearch search``
#: does, without exiting), so that what it loaded can be listed after it.
CLI_SEARCH = """
from newssearch.cli import cli
try:
    cli(["search", "port strike", "--index", {index!r}, "-n", "3"], prog_name="newssearch")
except SystemExit as exc:
    assert exc.code == 0, exc.code
"""


def loaded_after(code: str, packages: bool = True) -> set[str]:
    """The top-level packages (or, with ``packages=False``, all modules)
    loaded in a fresh interpreter after running ``code``."""
    names = "{m.split('.')[0] for m in sys.modules}" if packages else "set(sys.modules)"
    program = f"import sys, json\n{code}\nprint(json.dumps(sorted({names})))"
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_import_newssearch_loads_no_engine_and_no_date_parser():
    loaded = loaded_after("import newssearch")
    assert loaded.isdisjoint(HEAVY_FOR_A_PLAIN_IMPORT), sorted(loaded & set(HEAVY_FOR_A_PLAIN_IMPORT))
    assert "newssearch" in loaded


def test_the_first_use_of_a_name_loads_what_it_needs():
    # the check above can see a package load: this one sees them load
    loaded = loaded_after("import newssearch\nnewssearch.open_index")
    assert {"whoosh", "numpy"} <= loaded
    assert "dateutil" in loaded_after("from newssearch import parse_date")


def test_the_living_archive_comes_with_the_index_whichever_name_loads_it_first():
    # live.saved attaches itself to the index when it loads: ix.saved and
    # the alerts after each commit need it, whatever name a program used
    for name in ("open_index", "create_index", "SearchRequest", "ArticleWriter", "IndexReport"):
        code = (f"from newssearch import {name}\nimport newssearch.index as i\n"
                "assert i._living_archive is not None, 'not attached'")
        subprocess.run([sys.executable, "-c", code], check=True)


def test_the_cli_loads_no_command_before_it_runs():
    # the group names its commands; each command's module loads when it runs
    loaded = loaded_after("import newssearch.cli\nnewssearch.cli.cli.commands.keys()", packages=False)
    packages = {m.split(".")[0] for m in loaded}
    assert packages.isdisjoint({"whoosh", "numpy", "dateutil"}), sorted(packages & {"whoosh", "numpy", "dateutil"})
    assert not {m for m in loaded if m.startswith("newssearch.cli.")} - {
        "newssearch.cli.exits", "newssearch.cli.lazy", "newssearch.cli.signals", "newssearch.cli.terminal"}


def test_a_cli_search_loads_no_reader_no_server_and_no_writer(ix_dir):
    loaded = loaded_after(CLI_SEARCH.format(index=str(ix_dir)), packages=False)
    packages = {m.split(".")[0] for m in loaded}
    assert packages.isdisjoint(NOT_FOR_A_SEARCH), sorted(packages & set(NOT_FOR_A_SEARCH))
    assert loaded.isdisjoint(NOT_FOR_A_SEARCH_MODULES), sorted(loaded & set(NOT_FOR_A_SEARCH_MODULES))
    not_for_it = {m for m in loaded if m.split(".")[0] in NOT_FOR_A_CLI_SEARCH or m in NOT_FOR_A_CLI_SEARCH}
    assert not not_for_it, sorted(not_for_it)
    # the check sees the search run: it loaded the engine, numpy and the search command
    assert {"numpy", "whoosh"} <= packages and "newssearch.cli.searching" in loaded


def test_every_command_loads_when_asked_for():
    # the lazy table names no command that does not load, and --help lists them all
    code = ("import newssearch.cli as c\n"
            "assert all(c.cli.commands[name].name == name for name in c.COMMANDS), 'a wrong name'")
    loaded = loaded_after(code, packages=False)
    assert {"newssearch.cli.serve", "newssearch.cli.indexing", "newssearch.cli.follow"} <= loaded


def test_a_cli_search_compiles_no_english_morphology(ix_dir):
    # Whoosh's queries import morph_en, which compiles its suffix rules as it
    # loads; a search never calls it (newssearch.engine.deferred)
    code = CLI_SEARCH.format(index=str(ix_dir)) + (
        "import sys\nassert type(sys.modules['whoosh.lang.morph_en']).__name__ == '_StandIn', 'loaded'\n")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


#: Opens the index at argv[1] and prints its segments and what opening its
#: snapshot asked of the file system (a fresh interpreter: an audit hook stays).
COUNT_OPEN = """
import json, sys
import newssearch as ns
ix = ns.open_index(sys.argv[1])
seen = {"os.listdir": 0, "os.scandir": 0, "open": 0}
def hook(event, args):
    if event in seen:
        seen[event] += 1
sys.addaudithook(hook)
segments = len(ix.session().snapshot.segments)
sys.addaudithook(lambda event, args: None)
print(json.dumps([segments, seen]))
"""


def test_opening_a_snapshot_lists_the_folder_a_bounded_number_of_times(tmp_path):
    # each segment's column files are opened with the snapshot (engine.reading._pin_columns);
    # the folder is listed once for all of them, not once per segment
    counts = {}
    for commits in (2, 6):
        where = tmp_path / f"ix{commits}"
        articles = many_articles(3 * commits)
        with ns.create_index(where) as ix:
            for batch in range(commits):
                ix.add(articles[3 * batch : 3 * batch + 3])
        done = subprocess.run([sys.executable, "-c", COUNT_OPEN, str(where)], capture_output=True, text=True, check=True)
        segments, seen = json.loads(done.stdout)
        assert segments == commits  # no merge yet: one segment a commit
        counts[commits] = seen
    assert counts[6]["os.listdir"] + counts[6]["os.scandir"] == counts[2]["os.listdir"] + counts[2]["os.scandir"]
    assert counts[6]["open"] > counts[2]["open"]  # the check sees the segments' files opened
