"""A sharded index on a Dask cluster (``pip install 'newssearch[cluster]'``):
built there (:mod:`.build`) and searched there (:mod:`.search`).

Dask (``dask.distributed``) does the scheduling, the data movement, and the
retries when a worker dies; this module only says what the tasks are. The
same code runs on a laptop's ``LocalCluster``, a batch system
(dask-jobqueue) or Kubernetes (dask-kubernetes).

A build has three kinds of task:

1. **Read** (one per partition of the input files: up to
   :data:`FILES_PER_PARTITION` files or :data:`BYTES_PER_PARTITION` bytes,
   each WARC archive alone). A worker reads and extracts the articles
   (the expensive part: HTML extraction), computes each one's MinHash
   signature, and keeps them split by shard. Only the signatures (an id,
   64 numbers and a date per article) travel to the client.
2. **Group** (on the client). One :class:`~newssearch.write.stories.StoryGrouper`
   sees every signature, in input order, and the index as it was, so the
   copies of a wire story are one story whatever shard they land in.
3. **Write** (one per shard). A worker receives its shard's articles from
   every read task, and their story labels, and writes the shard.
   - A new index (or a rebuild) is written into a folder on the worker's
     local disk, then published: copied beside its place in the index and
     renamed into it.
   - An existing shard is updated in place, under its write lock, so that
     unchanged articles are recognised.

Every task is safe to run twice. Reading is pure. A new shard is written
from scratch into a folder of its own, so a second run of the task replaces
the first. An update recognises the articles the first attempt committed
as unchanged. So when Dask retries the tasks of a worker that died, no
article is lost and none is stored twice. The client records the run in
the manifest once every shard is written.

What the cluster must see: the input files and the index folder at the
same absolute paths on every worker and on the client (a shared or network
filesystem). Workers write new shards on their own local disk first.

Searching (:meth:`newssearch.NewsIndex.search_on`) keeps each shard open in
an actor on a worker (:class:`~.search.ShardSearcher`); a query's
statistics are summed over the shards, then each shard scores its matches
with the sums (:class:`~.search.ClusterRanker`), so scores are those of one
index.

* :mod:`.client`   a client of a scheduler; the one place that imports Dask at run time
* :mod:`.build`    :func:`build_on_cluster` and its tasks
* :mod:`.search`   :func:`fan_out`, :class:`ClusterRanker`, :class:`ShardSearcher`

The names below are loaded on first use, so ``import newssearch.cluster.search``
(which the index does for ``search_on``) does not load the build, nor the
build the search.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .build import BYTES_PER_PARTITION, FILES_PER_PARTITION, build_on_cluster, partitions
    from .client import connect
    from .search import ClusterRanker, ShardSearcher, fan_out

__all__ = [
    "BYTES_PER_PARTITION",
    "FILES_PER_PARTITION",
    "ClusterRanker",
    "ShardSearcher",
    "build_on_cluster",
    "connect",
    "fan_out",
    "partitions",
]

_HOMES = {
    "BYTES_PER_PARTITION": "build",
    "FILES_PER_PARTITION": "build",
    "build_on_cluster": "build",
    "partitions": "build",
    "connect": "client",
    "ClusterRanker": "search",
    "ShardSearcher": "search",
    "fan_out": "search",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{home}"), name)
