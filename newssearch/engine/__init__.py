"""The one door to Whoosh: every module that imports ``whoosh`` lives here.

The rest of newssearch sees the engine through these modules and their
typed objects, never through Whoosh's own classes or private attributes, so
an upgrade of whoosh3 (pinned exactly in ``pyproject.toml``) is checked and
fixed here, and ``tests/test_engine.py`` fails if one of our fast paths
would silently fall back to a slow one.

* :mod:`.errors`   Whoosh's exception types, mapped to newssearch's in one function
* :mod:`.text`     the tokenizer Whoosh calls, and the tables analysis borrows from Whoosh
* :mod:`.schema`   the Whoosh schema; an Article to stored fields and back
* :mod:`.store`    an index folder on disk: create, open, check, lock, clean up
* :mod:`.writing`  Whoosh's writer(s) for one run: add, update, delete, commit, cancel
* :mod:`.reading`  one open snapshot of the index: posting lists and columns as arrays
* :mod:`.query`    the query tree (Whoosh's node classes) and helpers to build and walk it
* :mod:`.parsing`  query text to a query tree, with newssearch's fixes to Whoosh's parser
* :mod:`.matching` Whoosh's own matchers, for the query shapes our ranker does not evaluate

This ``__init__`` imports nothing, so loading one part does not load the rest.
"""
