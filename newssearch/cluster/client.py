"""A client of a Dask scheduler: the one place that loads Dask at run time.

Dask is the ``cluster`` extra (``pip install 'newssearch[cluster]'``); a
plain or local sharded index never needs it, so it is imported here, when a
cluster is asked for, and its absence is a one-line error naming the extra.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import ConfigError

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["connect", "require_dask"]


def connect(address: str) -> Client:
    """A client of the Dask scheduler at ``address`` (``tcp://host:8786``)."""
    distributed = require_dask()
    try:
        client: Client = distributed.Client(address, timeout="10s")
        return client
    except (OSError, TimeoutError) as exc:
        raise ConfigError(f"cannot reach the Dask scheduler at {address}: {exc}", option="cluster") from None


def require_dask() -> Any:
    """The ``distributed`` module, or a one-line error saying how to install it."""
    try:
        import distributed  # optional: the cluster extra
    except ImportError:
        raise ConfigError(
            "building on a cluster needs Dask: pip install 'newssearch[cluster]'", option="cluster"
        ) from None
    return distributed
