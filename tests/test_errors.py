"""The exception tree: every class in newssearch.errors, drawn, exported,
raised with its cause (the old homes of moved classes: test_deprecation.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from click.testing import CliRunner

import newssearch as ns
from newssearch import errors
from newssearch.cli import EXIT_ERROR, cli

PACKAGE = Path(ns.__file__).parent


def _exception_classes_defined_outside_errors() -> list[str]:
    """Every class in the package whose bases name an exception or warning
    (read from the source, so optional modules need not be importable)."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "errors.py" and path.parent == PACKAGE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef):
                continue
            for base in node.bases:
                name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
                if name.endswith(("Error", "Exception", "Warning", "Interrupt")) or name in {
                    "Exception",
                    "BaseException",
                    "NewsSearchError",
                } or hasattr(errors, name):
                    found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {node.name}({name})")
    return found


def test_every_exception_class_lives_in_errors():
    assert _exception_classes_defined_outside_errors() == []


def _classes_in_errors() -> list[type[BaseException]]:
    return [v for v in vars(errors).values() if isinstance(v, type) and issubclass(v, BaseException) and v.__module__ == errors.__name__]


def test_every_class_is_exported_and_drawn_in_the_tree():
    doc = errors.__doc__ or ""
    for cls in _classes_in_errors():
        assert cls.__name__ in errors.__all__, cls
        assert f" {cls.__name__}" in doc, f"{cls.__name__} is not drawn in the tree of newssearch.errors' docstring"
        if issubclass(cls, (errors.NewsSearchError, errors.IngestWarning)):
            assert getattr(ns, cls.__name__) is cls, f"{cls.__name__} is not exported by newssearch"


def test_errors_are_library_errors_except_the_warnings_and_two_signals():
    others = [cls for cls in _classes_in_errors() if not issubclass(cls, (errors.NewsSearchError, errors.IngestWarning))]
    assert others == [errors.Terminated, errors.UnsupportedQueryShape]


def test_an_engine_error_is_raised_from_its_cause(tmp_path):
    (tmp_path / "ix").mkdir()
    (tmp_path / "ix" / "MAIN_WRITELOCK").write_text("")  # a folder with a stray file is no index
    from newssearch.engine.errors import mapped
    from whoosh.index import EmptyIndexError

    with pytest.raises(errors.IndexNotFound) as caught:
        with mapped(tmp_path / "ix"):
            raise EmptyIndexError("no index")
    assert isinstance(caught.value.__cause__, EmptyIndexError)


def test_a_gzip_bomb_names_the_file_and_keeps_the_cause(tmp_path):
    import gzip

    from newssearch.ingest import Limits, read_path

    bomb = tmp_path / "bomb.txt.gz"
    bomb.write_bytes(gzip.compress(b"headline\n" + b"a" * (3 * 2**20)))
    failures: list[errors.IngestError] = []
    list(read_path(bomb, limits=Limits(input_bytes=2**20), on_error=failures.append))
    assert len(failures) == 1
    assert isinstance(failures[0], errors.DecompressedTooLarge)
    assert str(failures[0]).startswith(f"{bomb}: decompresses to more than")
    assert isinstance(failures[0].__cause__, errors.DecompressedTooLarge)


def test_a_failed_writer_process_is_a_one_line_error_not_an_internal_one(tmp_path, monkeypatch):
    """A writer process killed by the system reaches the user as an index
    error with its reason, not as a newssearch bug to report."""
    runner = CliRunner()
    where = tmp_path / "ix"
    ns.create_index(where)

    def fail(self: object) -> None:
        raise errors.WorkerFailed("a writer process ended with exit code 1; nothing of this run was committed")

    monkeypatch.setattr(ns.NewsIndex, "stats", fail)
    result = runner.invoke(cli, ["stats", "--index", str(where)])
    assert result.exit_code == EXIT_ERROR
    assert result.stderr.strip() == "Error: a writer process ended with exit code 1; nothing of this run was committed"
