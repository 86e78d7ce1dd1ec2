"""The release, in one place: the package, ``--version`` and the
follower's User-Agent read it from here (a module of its own, so that
nothing needs to import the package's ``__init__`` for it)."""

__version__ = "0.1.0"
