"""newssearch's tests. A package so that test modules import their shared
helpers as ``tests.helpers`` (and the benchmarks as ``bench.*``) from the
checkout's root, with no ``sys.path`` edits."""
