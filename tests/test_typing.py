"""The public API passes ``mypy --strict``: the package itself, a typed usage
script (tests/typing/usage.py, which also asserts the mistakes mypy must
catch), and every Python example in the README, extracted as they stand."""

from __future__ import annotations

import re

import pytest

from tests.helpers import ROOT


@pytest.mark.slow  # mypy from a cold cache; while working, run .venv/bin/mypy (incremental) instead
def test_package_usage_script_and_readme_examples_pass_mypy_strict(tmp_path):
    api = pytest.importorskip("mypy.api", reason="mypy comes with the test extra")
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 2, "the README's library examples were not found"
    files = []
    for i, block in enumerate(blocks):
        path = tmp_path / f"readme_example_{i}.py"
        path.write_text(block, encoding="utf-8")
        files.append(str(path))
    out, err, status = api.run(
        ["--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(tmp_path / "cache"), "--no-error-summary",
         str(ROOT / "newssearch"), str(ROOT / "tests" / "typing" / "usage.py"), *files]
    )
    assert status == 0, out + err
