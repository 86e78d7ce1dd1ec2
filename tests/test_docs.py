"""The README promises what the code does: two quick-start commands, the test
command CI runs, the exit codes, and every command documented."""

import re

from newssearch import cli

from tests.helpers import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def quick_start_commands():
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section, flags=re.S)


def test_quick_start_has_exactly_two_one_line_commands():
    commands = quick_start_commands()
    assert len(commands) == 2 and all("\n" not in c for c in commands)
    assert "newssearch index examples/" in commands[0] and "newssearch search" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert quick_start_commands()[1] in ci


def test_ci_and_the_readme_run_the_slow_tests_too():
    # the quick run (pytest -m "not slow") is for working; what CI and the
    # Quick start run must leave nothing out
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    runs = re.findall(r"pytest\b([^&\n]*)", ci) + re.findall(r"pytest\b([^&\n]*)", quick_start_commands()[1])
    addopts = re.findall(r"^addopts = (.*)$", pyproject, flags=re.M)
    assert runs and addopts
    assert all("-m" not in args.split() and "slow" not in args for args in runs + addopts)
    assert 'pytest -m "not slow"' in README.split("## Development", 1)[1]


def test_ci_and_the_readme_run_the_tests_on_every_core():
    # one worker left a core idle and took most of CI's 25 minutes; loadscope
    # keeps each module on one worker, so its module fixtures (servers, a
    # browser, a Dask cluster, indexes) are built once, not once per worker
    command = quick_start_commands()[1]
    assert re.search(r"pytest -q -n (auto|[2-9]) --dist loadscope$", command), command
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    test_extra = re.search(r"^test = \[(.*)\]$", pyproject, flags=re.MULTILINE)
    assert test_extra and '"pytest-xdist' in test_extra.group(1)


def test_exit_code_table_matches_the_cli():
    table = dict(re.findall(r"^\| (\d+) \| (.+?) \|$", README, flags=re.M))
    assert set(map(int, table)) == {
        cli.EXIT_OK, cli.EXIT_ERROR, cli.EXIT_USAGE, cli.EXIT_PARTIAL, cli.EXIT_NO_MATCH, cli.EXIT_INTERRUPTED,
        cli.EXIT_TERMINATED,
    }


def test_every_command_is_documented():
    for name in cli.cli.commands:
        assert f"newssearch {name}" in README


def _public_definitions():
    """Every public module-level function and class of the package, and the
    public methods of those classes (name, has a docstring)."""
    import ast

    package = ROOT / "newssearch"
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = path.relative_to(package).as_posix()
        yield where, bool(ast.get_docstring(tree))
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
                yield f"{where}:{node.name}", bool(ast.get_docstring(node))
                if isinstance(node, ast.ClassDef):
                    for sub in node.body:
                        if isinstance(sub, ast.FunctionDef) and not sub.name.startswith("_"):
                            yield f"{where}:{node.name}.{sub.name}", bool(ast.get_docstring(sub))


def test_every_public_module_class_and_function_has_a_docstring():
    found = list(_public_definitions())
    assert len(found) > 200
    assert [name for name, documented in found if not documented] == []


def _library_entry_points():
    import newssearch as ns
    from newssearch.search.request import FilterOptions, SearchOptions

    yield ns.open_index, ()
    yield ns.create_index, ()
    yield ns.read_path, ()
    yield ns.NewsIndex.writer, ()
    yield ns.NewsIndex.add, ()
    yield ns.NewsIndex.get, ()
    yield ns.NewsIndex.suggest, ()
    yield ns.NewsIndex.search, tuple(SearchOptions.__annotations__)
    yield ns.NewsIndex.timeline, tuple(FilterOptions.__annotations__)
    yield ns.NewsIndex.similar, ("limit", "snippets")
    yield ns.SearchRequest.build, tuple(SearchOptions.__annotations__)
    yield ns.Filters.build, ()


def test_the_library_entry_points_explain_every_parameter():
    # sqlite-utils style: the docstring names what each parameter does;
    # for **options, every keyword the options take
    import inspect

    for fn, keywords in _library_entry_points():
        doc = inspect.getdoc(fn) or ""
        params = [p for p in inspect.signature(fn).parameters.values() if p.name not in ("self", "cls")]
        names = [p.name for p in params if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)] + list(keywords)
        missing = [name for name in names if f"``{name}``" not in doc and f"``{name}=" not in doc]
        assert missing == [], f"{fn.__qualname__} does not explain {missing}"



def _layout_map() -> tuple[set[str], set[str]]:
    """The modules the README's development map names (the first column of
    each line, and a ``name.py:`` aside in its description), and the shims
    listed after it."""
    start = README.index("The package follows the pipeline")
    opening = README.index("```\nnewssearch/\n", start) + 4
    closing = README.index("\n```\n", opening)
    block = README[opening:closing]
    named: set[str] = set()
    folder: list[str] = []
    for line in block.splitlines()[1:]:
        depth = (len(line) - len(line.lstrip())) // 2 - 1
        first, _, description = line.strip().partition("  ")
        del folder[depth:]
        if first.endswith("/"):
            folder.append(first.rstrip("/"))
            named.add("/".join([*folder, "__init__.py"]))
            continue
        for name in re.findall(r"[a-z_0-9]+\.py", first) + re.findall(r"\b([a-z_0-9]+\.py):", description):
            named.add("/".join([*folder, name]))
    tail = README[closing : README.index("\n\n", README.index("Deprecation shims", closing))]
    shims = set(re.findall(r"`([a-z_/]+\.py)`", tail))
    return named, shims


def test_the_readme_layout_map_names_every_module_and_only_modules_that_exist():
    package = ROOT / "newssearch"
    named, shims = _layout_map()
    on_disk = {str(p.relative_to(package)) for p in package.rglob("*.py")} - {"__main__.py"}
    assert sorted(named - on_disk) == [], "the README's map (Development) names modules that do not exist"
    assert sorted(on_disk - named - shims) == [], "modules missing from the README's map (Development)"
    assert sorted(shims - on_disk) == [], "shims listed that do not exist"
