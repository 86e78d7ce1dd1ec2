"""Every Whoosh (whoosh3 3.54.0) behaviour newssearch relies on, pinned here.

whoosh3 changes fast; an upgrade that changes any of these fails this file
before it silently changes search results.
"""

from __future__ import annotations

import errno
import inspect
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from importlib.metadata import version

import pytest
import whoosh
from whoosh import fields, index, qparser, query, sorting
from whoosh.filedb.filestore import FileStorage
from whoosh.qparser.dateparse import DateParserPlugin

import newssearch
from newssearch.engine.errors import map_whoosh_error, mapped
from newssearch.engine.parsing import QueryParser
from newssearch.engine.schema import LanguageText, NewsText, NewsTokenizer
from newssearch.errors import NewsSearchError

UTC = timezone.utc


def test_the_pinned_distribution_is_installed():
    assert version("whoosh3") == "3.54.0"
    # two Whoosh distributions share the `whoosh` package; only one may be present
    from importlib.metadata import PackageNotFoundError

    for other in ("Whoosh", "whoosh-reloaded"):
        with pytest.raises(PackageNotFoundError):
            version(other)


@pytest.fixture
def dated_index(tmp_path):
    schema = fields.Schema(
        id=fields.ID(stored=True, unique=True),
        body=fields.TEXT(stored=True),
        published=fields.DATETIME(stored=True, sortable=True),
    )
    ix = index.create_in(str(tmp_path), schema)
    w = ix.writer(limitmb=1)  # a tiny buffer forces the sorting pool to spill
    days = list(range(1, 31))
    order = days[::2] + days[1::2]  # added out of date order
    for day in order:
        w.add_document(id=str(day), body=f"story d{day} news", published=datetime(2020, 6, day, 12, tzinfo=UTC))
    w.commit()
    return ix


def test_query_parser_date_range_is_exact_not_the_whole_year(dated_index):
    qp = qparser.QueryParser("body", dated_index.schema)
    qp.add_plugin(DateParserPlugin())
    with dated_index.searcher() as s:
        found = {h["id"] for h in s.search(qp.parse("published:[2020-06-10 TO 2020-06-20]"), limit=None)}
    assert found == {str(d) for d in range(10, 21)}


def test_sortable_date_column_sorts_correctly_after_buffered_writes(dated_index):
    with dated_index.searcher() as s:
        got = [h["published"].day for h in s.search(query.Every(), sortedby="published", limit=None)]
        newest = [h["published"].day for h in s.search(query.Every(), sortedby=sorting.FieldFacet("published", reverse=True), limit=5)]
    assert got == list(range(1, 31))
    assert newest == [30, 29, 28, 27, 26]


def test_filter_is_applied_with_a_time_limit(dated_index):
    from whoosh.collectors import TimeLimitCollector

    with dated_index.searcher() as s:
        c = s.collector(limit=None, filter=query.Term("id", "5"))
        tlc = TimeLimitCollector(c, timelimit=10.0)
        s.search_with_collector(query.Term("body", "news"), tlc)
        assert [h["id"] for h in tlc.results()] == ["5"]


def test_datetime_field_drops_tzinfo_without_converting(tmp_path):
    # why newssearch converts every date to UTC before indexing
    schema = fields.Schema(id=fields.ID(stored=True), published=fields.DATETIME(sortable=True))
    ix = index.create_in(str(tmp_path), schema)
    w = ix.writer()
    w.add_document(id="sofia", published=datetime(2022, 1, 27, 15, 34, tzinfo=timezone(timedelta(hours=2))))
    w.commit()
    with ix.searcher() as s:
        utc_range = query.DateRange("published", datetime(2022, 1, 27, 13, 0, tzinfo=UTC), datetime(2022, 1, 27, 14, 0, tzinfo=UTC))
        wall_range = query.DateRange("published", datetime(2022, 1, 27, 15, 0), datetime(2022, 1, 27, 16, 0))
        assert list(s.search(utc_range)) == []
        assert [h["id"] for h in s.search(wall_range)] == ["sofia"]


def test_date_parser_returns_aware_utc(dated_index):
    qp = qparser.QueryParser("body", dated_index.schema)
    qp.add_plugin(DateParserPlugin())
    q = qp.parse("published:2020-06-28")
    assert isinstance(q, query.DateRange)
    assert q.startdate == datetime(2020, 6, 28, tzinfo=UTC)
    assert q.enddate == datetime(2020, 6, 28, 23, 59, 59, 999999, tzinfo=UTC)
    # without the GtLt plugin a ">" range is an error node, which QueryBuilder reports
    assert getattr(qp.parse("published:>2020-06-28"), "error", None)


def test_or_group_matches_any_word_and_ranks_more_words_higher(dated_index):
    qp = qparser.QueryParser("body", dated_index.schema, group=qparser.OrGroup.factory(0.9))
    with dated_index.searcher() as s:
        hits = s.search(qp.parse("story d7 news missing"), limit=3)
        assert len(hits) == 30  # any word: nothing lost
        assert hits[0]["id"] == "7"  # the article matching most words first


def test_and_is_whooshs_default_group(dated_index):
    qp = qparser.QueryParser("body", dated_index.schema)
    with dated_index.searcher() as s:
        assert len(s.search(qp.parse("story news missing"))) == 0


def test_second_writer_raises_lock_error(tmp_path):
    ix = index.create_in(str(tmp_path), fields.Schema(id=fields.ID(stored=True)))
    w = ix.writer()
    with pytest.raises(index.LockError):
        ix.writer()
    w.cancel()
    ix.writer().cancel()  # released after cancel


def test_update_document_cannot_replace_an_uncommitted_document(tmp_path):
    # why ArticleWriter keeps the first of two same-id articles in one run
    ix = index.create_in(str(tmp_path), fields.Schema(id=fields.ID(stored=True, unique=True)))
    w = ix.writer()
    w.update_document(id="a")
    w.update_document(id="a")
    w.commit()
    assert ix.doc_count() == 2


def test_every_segment_file_whoosh_reads_is_opened_through_its_storage(tmp_path):
    """engine.verified checks every read of a segment file by wrapping what
    the storage's open_file returns: Whoosh must open every file it reads
    there (postings, terms, columns, stored fields), and read them through
    the file object's read/seek/tell (StructFile with no fileno)."""
    opened: list[str] = []

    class Recording(FileStorage):
        def open_file(self, name, **kwargs):
            opened.append(name)
            return super().open_file(name, **kwargs)

    schema = fields.Schema(title=fields.TEXT(stored=True), day=fields.NUMERIC(sortable=True))
    ix = index.create_in(str(tmp_path), schema)
    w = ix.writer(compound=False)  # as newssearch writes segments: a file per part
    w.add_document(title="harbour reopens", day=3)
    w.commit()
    ix = Recording(str(tmp_path)).open_index()
    with ix.searcher() as s:
        hits = s.search(query.Term("title", "harbour"), sortedby="day")
        assert [h["title"] for h in hits] == ["harbour reopens"]
    kinds = {name.rsplit(".", 1)[-1] for name in opened}
    assert {"toc", "trm", "pst", "col"} <= kinds
    assert any(name.endswith("._stored.col") for name in opened) and any(name.endswith(".day.col") for name in opened)


def test_cancel_leaves_the_new_segments_files(tmp_path):
    # why ArticleWriter deletes a cancelled segment's files itself
    ix = index.create_in(str(tmp_path), fields.Schema(id=fields.ID(stored=True)))
    before = set(ix.storage.list())
    w = ix.writer()
    w.add_document(id="a")
    w.cancel()
    assert set(ix.storage.list()) - before


def test_existing_terms_skips_other_fields_after_the_first():
    # why searcher._query_terms walks the leaves itself. When this fails,
    # Whoosh fixed it and the workaround can go.
    src = inspect.getsource(whoosh.query.qcore.Query.existing_terms)
    assert "for fieldname, text in terms:" in src


def test_multiprocess_writer_accepts_multisegment(tmp_path):
    ix = index.create_in(str(tmp_path), fields.Schema(id=fields.ID(stored=True)))
    w = ix.writer(procs=2, multisegment=True)
    for i in range(10):
        w.add_document(id=str(i))
    w.commit()
    assert ix.doc_count() == 10


def _whoosh_exception_classes():
    import pkgutil
    import importlib

    seen = set()
    for mod in pkgutil.walk_packages(whoosh.__path__, "whoosh."):
        if any(part in mod.name for part in ("langchain", "llamaindex", "mcp", ".cli")):
            continue
        try:
            module = importlib.import_module(mod.name)
        except Exception:  # noqa: BLE001 - optional integrations
            continue
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, Exception) and obj.__module__.startswith("whoosh") and obj not in seen:
                seen.add(obj)
    return sorted(seen, key=lambda c: f"{c.__module__}.{c.__name__}")


#: What each kind of Whoosh exception must become (the rest: IndexStoreError).
EXPECTED = {
    "LockError": newssearch.IndexLocked,
    "EmptyIndexError": newssearch.IndexNotFound,
    "IndexVersionError": newssearch.IndexVersionMismatch,
    "FileFormatError": newssearch.IndexVersionMismatch,
    "FileVersionError": newssearch.IndexVersionMismatch,
    "NoGraphError": newssearch.IndexVersionMismatch,
    "UnknownFieldError": newssearch.IndexVersionMismatch,
    "FieldConfigurationError": newssearch.IndexVersionMismatch,
}
#: The ones that are the query's fault when raised while parsing it.
QUERY_FAULTS = {"QueryParserError", "QueryError", "DateParseError", "TimeError", "UnknownFieldError"}


@pytest.mark.parametrize("exc_class", _whoosh_exception_classes(), ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_every_whoosh_exception_maps_to_the_right_newssearch_error(exc_class, tmp_path):
    try:
        exc = exc_class("boom")
    except TypeError:
        exc = exc_class.__new__(exc_class)
    with pytest.raises(NewsSearchError) as raised, mapped(tmp_path):
        raise exc
    expected = next((EXPECTED[c.__name__] for c in exc_class.__mro__ if c.__name__ in EXPECTED), newssearch.IndexStoreError)
    assert type(raised.value) is expected
    assert "\n" not in str(raised.value) and str(tmp_path) in str(raised.value)
    as_query = map_whoosh_error(exc, tmp_path, query="q")
    query_fault = any(c.__name__ in QUERY_FAULTS for c in exc_class.__mro__)
    assert isinstance(as_query, newssearch.QuerySyntaxError) is query_fault


@pytest.mark.parametrize("exc_class", [AttributeError, KeyError, TypeError, ValueError, ZeroDivisionError])
def test_our_own_bugs_are_not_mapped(exc_class, tmp_path):
    with pytest.raises(exc_class), mapped(tmp_path):
        raise exc_class("a bug")
    with pytest.raises(TypeError, match="not an engine error"):
        map_whoosh_error(exc_class("a bug"), tmp_path)


def test_file_system_errors_are_index_errors(tmp_path):
    with pytest.raises(newssearch.IndexStoreError, match="Permission denied"), mapped(tmp_path):
        raise OSError(13, "Permission denied")


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT])
def test_a_full_disk_is_said_in_words_with_what_to_do(tmp_path, code):
    with pytest.raises(newssearch.IndexStoreError) as raised, mapped(tmp_path):
        raise OSError(code, os.strerror(code))
    said = str(raised.value)
    assert said.startswith(f"index {tmp_path}: {os.strerror(code)}: free some space") and "[Errno" not in said


def test_searcher_refresh_keeps_stale_deletions_and_merged_segments(tmp_path):
    # why NewsIndex reopens its searcher after a commit instead of refresh()
    ix = index.create_in(str(tmp_path), fields.Schema(id=fields.ID(stored=True, unique=True)))
    w = ix.writer()
    for i in range(5):
        w.add_document(id=str(i))
    w.commit()
    w = ix.writer()
    for i in range(5, 10):
        w.add_document(id=str(i))
    w.commit(merge=False)
    s = ix.searcher()
    w = ix.writer()
    w.update_document(id="2")
    w.commit()
    with ix.searcher() as fresh:
        assert fresh.doc_count() == 10
    refreshed = s.refresh()
    assert refreshed.doc_count() != 10  # when this fails, Whoosh fixed refresh()
    refreshed.close()


def _andnot_index(tmp_path):
    ix = index.create_in(str(tmp_path), fields.Schema(body=fields.TEXT(stored=True)))
    w = ix.writer()
    # the excluded word's list starts (doc 0) before the wanted word's (doc 1)
    for body in ("talks", "grain talks", "grain wheat", "grain talks"):
        w.add_document(body=body)
    w.commit()
    return ix


def test_andnot_returns_an_excluded_first_document(tmp_path):
    # why newssearch swaps every AndNot for NewsAndNot: Whoosh's AndNotMatcher
    # only checks the first document when both lists start on the same id
    ix = _andnot_index(tmp_path)
    with ix.searcher() as s:
        q = query.AndNot(query.Term("body", "grain"), query.Term("body", "talks"))
        assert sorted(s.docs_for_query(q)) != [2]  # when this fails, Whoosh fixed it


def test_fixed_andnot(tmp_path):
    from newssearch.engine.query import NewsAndNot

    ix = _andnot_index(tmp_path)
    with ix.searcher() as s:
        q = NewsAndNot(query.Term("body", "grain"), query.Term("body", "talks"))
        assert sorted(s.docs_for_query(q)) == [2]
        assert [h.docnum for h in s.search(q)] == [2]


def test_whoosh_merges_sum_the_rounded_field_lengths(tmp_path):
    """Whoosh's merge (``add_reader``) rebuilds a field's total length from
    each document's one-byte length, so BM25's average length drifts with
    every merge; newssearch's merge (engine.fastwrite.merge_segments) keeps
    the segments' exact totals instead."""
    from whoosh.util.numeric import byte_to_length, length_to_byte
    from whoosh.writing import NO_MERGE, OPTIMIZE

    schema = fields.Schema(body=fields.TEXT)
    ix = index.create_in(str(tmp_path), schema)
    words = [f"w{i}" for i in range(1000)]
    for n in (1000, 999):
        with ix.writer() as w:
            w.add_document(body=" ".join(words[:n]))
            w.mergetype = NO_MERGE
    with ix.reader() as r:
        assert r.field_length("body") == 1999
    with ix.writer() as w:
        w.mergetype = OPTIMIZE
    rounded = sum(byte_to_length(length_to_byte(n)) for n in (1000, 999))
    assert rounded != 1999
    with ix.reader() as r:
        assert r.field_length("body") == rounded


# --- the parser's defects on hostile text (worked around in engine/parsing.py) ---


def _raw_parser() -> qparser.QueryParser:
    schema = fields.Schema(title=fields.TEXT, path=fields.STORED)
    parser = qparser.MultifieldParser(["title"], schema)
    parser.add_plugin(qparser.GtLtPlugin())
    parser.add_plugin(qparser.PlusMinusPlugin())
    return parser


@pytest.mark.parametrize(
    ("text", "raised"),
    [
        ("> oil", IndexError),  # GtLtPlugin with nothing before the sign
        ("a ANDNOT ANDMAYBE ANDNOT b", AssertionError),
        ("path:x", Exception),  # "field has no format": a field that holds no terms
    ],
)
def test_whooshs_parser_raises_internal_errors_on_some_text(text, raised):
    """engine.parsing refuses these as QuerySyntaxError (_PARSER_DEFECTS and
    the field check); if an upgrade stops raising, that code can go."""
    with pytest.raises(raised):
        _raw_parser().parse(text)


def test_whooshs_plus_minus_plugin_leaves_markers_inside_brackets():
    """Whoosh sorts + and - in the top-level group only: inside brackets the
    markers reach query() and raise NotImplementedError (engine.parsing's
    _PlusMinus sorts every group)."""
    with pytest.raises(NotImplementedError):
        _raw_parser().parse("oil (opec -iran)")
    assert _raw_parser().parse("oil -iran") is not None


def test_whooshs_parser_recurses_once_per_bracket():
    """Enough nested brackets exhaust the stack (twice the recursion limit
    here, whatever a test plugin set it to; 500 did with our own tree walks
    after it): engine.parsing refuses more than MAX_NESTING."""
    depth = 2 * sys.getrecursionlimit()
    with pytest.raises(RecursionError):
        _raw_parser().parse("(" * depth + "oil" + ")" * depth)


def test_whooshs_parser_tries_every_tagger_at_every_character_no_tagger_takes():
    """Whoosh's tag loop moves one character on when no tagger matches, and
    its field-name pattern (``\\w+:``) runs to the end of the word each time:
    a 100,000-character word took 33 s. engine.parsing's field-name pattern
    starts only where a word does, its range pattern first looks for a
    closing bracket (``[ to `` repeated took 24 s), and check_text bounds
    the length and the brackets."""
    calls = []
    parser = _raw_parser()
    for plugin in parser.plugins:
        if isinstance(plugin, qparser.FieldsPlugin):
            plain = plugin.taggers(parser)[0][0]

            class Counting(type(plain)):
                def match(self, parser, text, pos):
                    calls.append(pos)
                    return super().match(parser, text, pos)

            plugin.taggers = lambda parser, tagger=Counting(plain.expr.pattern): [(tagger, 0)]
    parser.parse("a" * 50)
    assert calls == list(range(50))
    assert qparser.FieldsPlugin().expr == r"(?P<text>\w+|[*]):"


def test_whooshs_or_with_every_is_every():
    """``oil *`` is every article with a title or a body: Whoosh's parser
    makes ``*`` in a field Every(field), and an OR holding it matches all,
    so ``oil`` is dropped from the tree (the ranker evaluates Every(field)
    from the field's lengths: Whoosh's matcher took 17 s on Reuters 2006-07)."""
    parsed = QueryParser.for_news().parse("oil *")
    assert repr(parsed) == "Or([Every('title', boost=1.0), Every('body', boost=1.0)])"


@pytest.mark.parametrize(
    ("text", "read_as"),
    [
        ('"oil price', {"oil", "price"}),  # an unclosed quote: loose words, not a phrase
        ("(oil AND", {"oil"}),  # an unclosed bracket and a dangling AND: dropped without a word
        ("oil AND", {"oil"}),
        ("AND oil", {"oil"}),
        ("title:", {"title"}),  # a field with no value: the field's name searched as a word
        ("title: oil", {"title", "oil"}),
    ],
)
def test_whooshs_parser_reads_malformed_text_silently_as_something_else(text, read_as):
    """What search.syntax reads first (warning or refusing): Whoosh's parser
    never complains about these; it searches other words than were asked."""
    q = _raw_parser().parse(text)
    assert not isinstance(q, query.Phrase)
    assert {t for _f, t in q.iter_all_terms()} == read_as


def test_a_reader_opens_column_files_lazily_and_asks_the_folder_whether_they_exist(tmp_path):
    # why newssearch.engine.reading pins a snapshot's column files when it opens it: a merge
    # committed by another process deletes the replaced segments' files, and a reader opened
    # before it found "no such column" (every date missing) or a None column reader (TypeError)
    schema = fields.Schema(id=fields.ID(stored=True), published=fields.DATETIME(stored=True, sortable=True))
    ix = index.create_in(str(tmp_path), schema)
    with ix.writer(compound=False) as w:  # as newssearch writes segments: a file per column
        w.add_document(id="a", published=datetime(2020, 6, 1, tzinfo=UTC))
    reader = ix.reader()
    perdoc = reader._perdoc
    assert reader.has_column("published") and not perdoc._colfiles  # nothing opened yet
    w = ix.writer(compound=False)
    w.add_document(id="b", published=datetime(2020, 6, 2, tzinfo=UTC))
    w.commit(optimize=True)  # one segment replaces the old one, whose files are deleted
    assert not reader.has_column("published")  # the folder is asked, not the commit read
    assert perdoc._cached_reader("_stored", whoosh.codec.whoosh3.STORED_COLUMN) is None
    # a file opened before its deletion stays readable: what pinning relies on
    pinned = ix.reader()
    pinned_perdoc = pinned._perdoc
    name = next(n for n in ix.storage.list() if n.endswith(".published.col"))
    colname = name.split(".", 1)[1].rsplit(".", 1)[0]
    pinned_perdoc._colfiles[colname] = pinned_perdoc._get_column_file(colname)
    w = ix.writer(compound=False)
    w.add_document(id="c")
    w.commit(optimize=True)
    assert name not in ix.storage.list()
    values = list(pinned_perdoc.column_reader(colname, schema["published"].column_type))
    assert len(values) == 2 and all(values)
    reader.close()
    pinned.close()


def test_a_field_added_by_a_writer_that_adds_no_document_is_in_the_next_table_of_contents(tmp_path):
    # how an index written before a stored field existed gains it (engine/writing.py, schema.ADDED_FIELDS):
    # every later writer, worker processes included, reads its schema from the table of contents
    ix = index.create_in(str(tmp_path), fields.Schema(id=fields.ID(stored=True, unique=True)))
    with ix.writer() as w:
        w.add_document(id="a")
    with pytest.raises(Exception, match="site"), ix.writer() as w:  # a value for a field the schema lacks is refused
        w.add_document(id="b", site="Local Wire")
    w = ix.writer()
    w.add_field("site", fields.STORED())
    w.commit(merge=False)
    assert "site" in index.open_dir(str(tmp_path)).schema
    with ix.writer() as w:
        w.add_document(id="b", site="Local Wire")
    with index.open_dir(str(tmp_path)).searcher() as s:
        assert sorted((d["id"], d.get("site")) for d in s.all_stored_fields()) == [("a", None), ("b", "Local Wire")]


def test_a_searcher_knows_when_another_process_committed(tmp_path):
    """``newssearch serve`` answers a commit made by ``index`` or ``follow`` in
    another process with the next request because an open searcher's
    ``up_to_date()`` (a listing of the folder's TOC generations) turns False
    after it, and stays True while nothing was committed."""
    schema = fields.Schema(id=fields.ID(stored=True, unique=True))
    ix = index.create_in(str(tmp_path), schema)
    with ix.writer() as w:
        w.add_document(id="1")
    searcher = ix.searcher()
    assert searcher.up_to_date()
    code = (
        "import sys; from whoosh import index; ix = index.open_dir(sys.argv[1]); "
        "w = ix.writer(); w.add_document(id='2'); w.commit()"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True, timeout=60)
    assert not searcher.up_to_date()
    assert ix.searcher().up_to_date() and ix.searcher().doc_count() == 2
    searcher.close()


def test_whoosh_queries_load_the_english_morphology_which_newssearch_defers_to_its_first_call():
    # whoosh.query.terms imports morph_en's variations when it loads (for the
    # Variations query), and morph_en compiles its suffix rules as it loads:
    # newssearch.engine.deferred stands in for it until variations() is called
    words = ["pull", "render", "news", "agreement", "oil", "prices", "running"]
    program = (
        "import sys, json\n"
        "FIRST\n"
        "import whoosh.query\n"
        "loaded = type(sys.modules['whoosh.lang.morph_en']).__name__\n"
        "from whoosh.query.terms import variations\n"
        f"found = {{w: sorted(variations(w)) for w in {words!r}}}\n"
        "print(json.dumps([loaded, type(sys.modules['whoosh.lang.morph_en']).__name__, found]))\n"
    )

    def run(first: str) -> list:
        done = subprocess.run([sys.executable, "-c", program.replace("FIRST", first)], capture_output=True, text=True,
                              check=True)
        return json.loads(done.stdout)

    plain = run("pass")
    deferred = run("import newssearch.engine.query")
    assert plain[0] == "module"  # Whoosh alone loads it with its queries
    assert deferred[0] == "_StandIn" and deferred[1] == "module"  # with newssearch: at the first call
    assert deferred[2] == plain[2] and len(plain[2]["pull"]) > 5  # the same variations either way


def test_a_multitoken_word_in_a_phrase_field_is_a_phrase_and_each_field_has_its_own_analyzer():
    """Analysis per language relies on both: a Chinese word is the phrase of
    its bigrams in a field made with ``multitoken_query="phrase"``, and the
    multifield parser analyses a word once per field with that field's analyzer."""
    schema = fields.Schema(
        body=NewsText(analyzer=NewsTokenizer()), body_zh=LanguageText("zh"), body_de=LanguageText("de")
    )
    zh = qparser.QueryParser("body_zh", schema).parse("北京大学")
    assert isinstance(zh, query.Phrase) and zh.words == ["北京", "京大", "大学"]
    multi = qparser.MultifieldParser(["body", "body_de"], schema).parse("Verhandlungen")
    assert sorted((t.fieldname, t.text) for t in multi.subqueries) == [("body", "verhandlungen"), ("body_de", "verhandl")]


def test_a_stored_value_apart_from_an_empty_indexed_one(tmp_path):
    """An article in another language stores its text in ``title``/``body``
    (``_stored_title``) and indexes nothing there (the value ""): Whoosh
    stores the ``_stored_`` value and writes no posting for the empty one."""
    schema = fields.Schema(id=fields.ID(stored=True), body=fields.TEXT(stored=True))
    ix = index.create_in(str(tmp_path), schema)
    with ix.writer() as w:
        w.add_document(id="a", body="", _stored_body="Der Text")
    with ix.searcher() as s:
        assert s.stored_fields(0)["body"] == "Der Text"
        assert list(s.lexicon("body")) == []
        assert s.doc_field_length(0, "body") == 0


def test_queries_are_equal_and_hash_alike_by_their_parts_but_an_ors_scale_is_not_compared():
    """The session keeps match sets keyed by the compiled query and filter
    (search/results.py): equal trees must hash alike and different words,
    fields, boosts or dates must not be equal. An Or's ``scale`` (the
    coordination factor, which changes scores, not matches) is not compared,
    so the key carries the query's text and match mode beside the tree."""
    day = datetime(2024, 5, 1, tzinfo=UTC)

    def tree(word: str = "oil", boost: float = 1.0, start: datetime = day) -> query.Query:
        return query.And([query.Or([query.Term("title", word, boost=boost), query.Term("body", word)]),
                          query.DateRange("published", start, None)])

    assert tree() == tree() and hash(tree()) == hash(tree())
    assert tree("gas") != tree() and tree(boost=2.0) != tree() and tree(start=day + timedelta(seconds=1)) != tree()
    assert query.Term("title", "oil") != query.Term("body", "oil")
    terms = [query.Term("body", "oil"), query.Term("body", "gas")]
    assert query.Or(terms, scale=0.9) == query.Or(terms) and hash(query.Or(terms, scale=0.9)) == hash(query.Or(terms))
    assert query.Or(terms) != query.And(terms)


def test_a_document_with_an_empty_field_has_no_length_not_the_default(tmp_path):
    # whoosh3's W3PerDocReader.doc_field_length falls through (None) for a
    # document whose length byte is 0 (its field empty), whatever default is
    # asked: Snapshot.field_length reads None as 0 (reanalyse asks whether an
    # article's text is in the English fields)
    ix = index.create_in(str(tmp_path), fields.Schema(id=fields.ID(stored=True), body=fields.TEXT))
    w = ix.writer()
    w.add_document(id="full", body="some words here")
    w.add_document(id="empty", body="")
    w.commit()
    with ix.reader() as r:
        assert r.doc_field_length(0, "body", 0) == 3
        assert r.doc_field_length(1, "body", 0) is None
        assert r.doc_field_length(1, "body", 7) is None
