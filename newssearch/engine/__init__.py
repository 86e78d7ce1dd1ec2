"""The one door to Whoosh: every module that imports ``whoosh`` lives here.

The rest of newssearch sees the engine through these modules and their
typed objects, never through Whoosh's own classes or private attributes, so
an upgrade of whoosh3 (pinned exactly in ``pyproject.toml``) is checked and
fixed here, and ``tests/test_engine.py`` fails if one of our fast paths
would silently fall back to a slow one. The private attributes of Whoosh's
objects that the engine itself relies on are listed, generated from the
code, in ``whoosh_private.txt`` beside this file.

* :mod:`.errors`     Whoosh's exception types, mapped to newssearch's in one function
* :mod:`.language`   Whoosh's stop list, accent-folding table and Porter2 stemmer, for analysis
* :mod:`.schema`     the Whoosh schema and its tokenizer; an Article to stored fields and back
* :mod:`.store`      an index folder on disk: create, open, check, lock, clean up
* :mod:`.shards`     a sharded index: the manifest, routing by id, every shard searched as one
* :mod:`.writing`    Whoosh's writer(s) for one run: add, update, delete, commit, cancel
* :mod:`.fastwrite`, :mod:`.textpostings`, :mod:`.postarrays`, :mod:`.workers`, :mod:`.locking`: what the writers use
* :mod:`.integrity`  sizes, checksums and a TOC copy per commit; check and repair
* :mod:`.verified`   every read of a segment file checked against its block sums (flipped bytes found)
* :mod:`.reading`    one open snapshot of the index: posting lists and columns as arrays
* :mod:`.query`      the query tree (Whoosh's node classes) and helpers to build and walk it
* :mod:`.parsing`    query text to a query tree, with newssearch's fixes to Whoosh's parser
* :mod:`.matching`   Whoosh's own matchers, for the query shapes our ranker does not evaluate
* :mod:`.deferred`   Whoosh's English morphology (``Variations``), loaded at its first call, not with Whoosh's queries

What the rest of newssearch may import, by module (:data:`SURFACE`; the
test fails on an import of any other engine name from outside ``engine/``,
and on a name listed here that nothing outside uses any more):

* ``errors``     mapped
* ``integrity``  CheckReport
* ``language``   STOP_WORDS, accent_map, porter2_stem
* ``matching``   highlight_terms_by_language, whoosh_matches
* ``parsing``    MATCH_MODES, QueryParser, check_text, expand_stemmed_prefixes
* ``query``      And, AndMaybe, AndNot, DateRange, Every, GapPhrase, MultiTerm,
  NumericRange, Or, Query, Term, added_after, added_since, from_long, is_null,
  published_by, to_long
* ``reading``    Segment, Snapshot
* ``schema``     ANALYSIS_VERSION, KEYWORD_FIELDS, TEXT_FIELDS, keyword_term, outdated_fields, to_fields, url_words
* ``shards``     Manifest, ShardedStore, is_sharded, shard_of
* ``store``      Store, check_store, has_index, take_lock
* ``writing``    SegmentWriter, compact_segments, default_memory_mb, default_procs

``fastwrite``, ``textpostings``, ``postarrays``, ``workers`` and ``locking``
are the engine's own: nothing outside it imports them.

This ``__init__`` loads no part of the engine, so loading one part does not
load the rest; it runs before any of them, so it is where Whoosh modules
that a search never calls are deferred before Whoosh loads them
(:mod:`.deferred`).
"""

from .deferred import defer_morphology

__all__ = ["SURFACE"]

defer_morphology()

#: The engine's names that modules outside ``newssearch/engine`` may import,
#: by engine module (the docstring above states the same list).
SURFACE: dict[str, tuple[str, ...]] = {
    "errors": ("mapped",),
    "integrity": ("CheckReport",),
    "language": ("STOP_WORDS", "accent_map", "porter2_stem"),
    "matching": ("highlight_terms_by_language", "whoosh_matches"),
    "parsing": ("MATCH_MODES", "QueryParser", "check_text", "expand_stemmed_prefixes"),
    "query": (
        "And", "AndMaybe", "AndNot", "DateRange", "Every", "GapPhrase", "MultiTerm", "NumericRange", "Or", "Query",
        "Term", "added_after", "added_since", "from_long", "is_null", "published_by", "to_long",
    ),
    "reading": ("Segment", "Snapshot"),
    "schema": ("ANALYSIS_VERSION", "KEYWORD_FIELDS", "TEXT_FIELDS", "keyword_term", "outdated_fields", "to_fields", "url_words"),
    "shards": ("Manifest", "ShardedStore", "is_sharded", "shard_of"),
    "store": ("Store", "check_store", "has_index", "take_lock"),
    "writing": ("SegmentWriter", "compact_segments", "default_memory_mb", "default_procs"),
}
