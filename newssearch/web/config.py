"""What ``newssearch serve`` was started with, handed to every worker process.

Workers are separate processes that import the app by name (the server's
supervisor starts them), so the settings travel as JSON in one environment
variable, :data:`CONFIG_VARIABLE`, rather than as arguments: the only way
in that both one worker and several take. The read and write tokens travel
with them: the environment of a process is readable by its user only, unlike
its command line (``ps`` shows that to everyone on the machine).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field

from ..errors import ConfigError
from .params import Bounds
from .proxy import DEFAULT_TRUSTED, TrustedProxies

__all__ = ["CONFIG_VARIABLE", "MAX_BODY_BYTES", "MAX_TARGET_BYTES", "PARENT_VARIABLE", "ServeConfig"]

#: The environment variable the workers read their settings from.
CONFIG_VARIABLE = "NEWSSEARCH_SERVE_CONFIG"
#: The process id of ``serve`` when it runs several workers: each worker
#: ends when that process dies (:func:`newssearch.lifetime.die_with_parent`).
PARENT_VARIABLE = "NEWSSEARCH_SERVE_PARENT"
#: The longest request target (path and query string) served: a query's
#: 4,096 characters, percent-encoded, and its filters fit; more is refused (413).
MAX_TARGET_BYTES = 16 * 1024
#: The largest request body accepted (413 beyond): a saved search, sent as
#: JSON or from the page's form, takes a few kilobytes at most.
MAX_BODY_BYTES = 64 * 1024


@dataclass(frozen=True)
class ServeConfig:
    """The server's settings: the ``index`` folder, the ``read_token``
    (None: reading is open), the ``write_token`` (None: every write is
    refused, 403), the origins allowed to read across sites
    (``cors``; none: the browser's same-origin rule holds), the request
    bounds (:class:`~newssearch.web.params.Bounds`), the ``root_path``
    a reverse proxy serves it under, and the proxies trusted to say
    what the client asked for (``forwarded_allow_ips``)."""

    index: str
    read_token: str | None = None
    cors: tuple[str, ...] = ()
    bounds: Bounds = field(default_factory=Bounds)
    #: The path prefix a reverse proxy serves the app under (``/news``; '' at the root): every link and form starts with it.
    root_path: str = ""
    #: The token every write needs (adding or removing a saved search, deleting an article); None: writes are off.
    write_token: str | None = None
    #: The proxies whose X-Forwarded-* headers are believed (addresses, networks, or ``*``): see :mod:`.proxy`.
    forwarded_allow_ips: tuple[str, ...] = DEFAULT_TRUSTED

    def __post_init__(self) -> None:
        TrustedProxies(self.forwarded_allow_ips)  # a ConfigError now, at start, rather than in every worker
        for option, token in (("read_token", self.read_token), ("write_token", self.write_token)):
            if token is not None and len(token.strip()) < 16:
                kind = option.split("_")[0]
                raise ConfigError(f"a {kind} token must have at least 16 characters (python -c 'import secrets; print(secrets.token_urlsafe())')", option=option)

    def to_environment(self) -> str:
        """The settings as the JSON the workers read back with :meth:`from_environment`."""
        return json.dumps(asdict(self))

    @classmethod
    def from_environment(cls) -> ServeConfig:
        """The settings ``newssearch serve`` left in :data:`CONFIG_VARIABLE`."""
        text = os.environ.get(CONFIG_VARIABLE)
        if not text:
            raise ConfigError(f"{CONFIG_VARIABLE} is not set: start the server with 'newssearch serve'")
        data = json.loads(text)
        return cls(
            index=data["index"],
            read_token=data["read_token"],
            cors=tuple(data["cors"]),
            bounds=Bounds(**data["bounds"]),
            root_path=data.get("root_path", ""),
            write_token=data.get("write_token"),
            forwarded_allow_ips=tuple(data.get("forwarded_allow_ips", DEFAULT_TRUSTED)),
        )
