"""The tables of the SQLite files kept beside an index, in one place:
the modules that use them (:mod:`.saved`, :mod:`.state`) create them, and
``check`` (:mod:`.files`) compares a file's tables with them without
importing those modules (the saved searches import the index, which runs
``check``).
"""

__all__ = ["FOLLOW_FILE", "FOLLOW_SCHEMA", "SAVED_FILE", "SAVED_SCHEMA"]

#: The file beside the index that holds saved searches and their alerts.
SAVED_FILE = "saved.sqlite"
#: The file beside the index that holds the follower's state.
FOLLOW_FILE = "follow.sqlite"

#: Saved searches (by name) and the alerts each raised.
SAVED_SCHEMA = """
CREATE TABLE IF NOT EXISTS saved (
    name TEXT PRIMARY KEY,
    query TEXT NOT NULL,
    options TEXT NOT NULL,
    created TEXT NOT NULL,
    cursor INTEGER NOT NULL,
    read INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    saved TEXT NOT NULL REFERENCES saved(name) ON DELETE CASCADE,
    article TEXT NOT NULL,
    story INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    matched TEXT NOT NULL,
    fields TEXT NOT NULL,
    delivered INTEGER NOT NULL DEFAULT 0,
    UNIQUE (saved, article)
);
CREATE INDEX IF NOT EXISTS alerts_story ON alerts (saved, story);
CREATE INDEX IF NOT EXISTS alerts_undelivered ON alerts (delivered, id);
"""

#: The feeds followed and the entries seen in each.
FOLLOW_SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (
    url TEXT PRIMARY KEY,
    added TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    fetched TEXT,
    ok TEXT,
    failures INTEGER NOT NULL DEFAULT 0,
    next_try TEXT,
    problem TEXT
);
CREATE TABLE IF NOT EXISTS seen (
    feed TEXT NOT NULL,
    entry TEXT NOT NULL,
    article TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    PRIMARY KEY (feed, entry)
);
"""
