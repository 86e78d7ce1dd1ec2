"""The write path: articles in, one committed run out.

* :mod:`.transaction` :class:`Transaction` (commit on a clean exit, cancel on
  any error, the epilogue after a commit) and :class:`IndexReport`
* :mod:`.articles`    :class:`ArticleWriter`: one index, one run; added,
  updated, unchanged or a duplicate, decided per article
* :mod:`.sharded`     :class:`ShardedWriter`: a run routed by id to one
  ArticleWriter per shard, with one story grouper over every shard
* :mod:`.stories`     which story each article is a copy of, decided as it is added
* :mod:`.signature`   the MinHash signatures stories are told apart by

Building a sharded index on a Dask cluster is :mod:`newssearch.cluster.build`.
Whoosh's own writers, the fast segment writer and the merge policy sit
behind :mod:`newssearch.engine` (``engine.writing``, ``engine.fastwrite``).

This ``__init__`` imports nothing, so :mod:`newssearch.engine.schema` can
read the signature's width without loading the writers.
"""
