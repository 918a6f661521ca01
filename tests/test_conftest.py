"""tests/conftest.py: what it does to make the sessions cheaper changes no test's outcome."""

from __future__ import annotations

import sys
from pathlib import Path
from types import CodeType

import pytest
from _pytest.assertion import rewrite

from tests.conftest import _nothing_to_undo, cache_rewritten_modules

TEST_MODULE = "def test_sum():\n    assert 1 + 1 == {}\n"


def test_rewritten_modules_are_kept_under_the_prefix_and_read_back_unless_changed(
    pytester: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As in the tests/cdk session, where bytecode isn't written: pytest rewrote each test
    # module again in every session; now it reads back from the prefix what it rewrote.
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")  # nothing but the test module
    module = pytester.makepyfile(test_cached=TEST_MODULE.format(2))
    prefix = tmp_path / "prefix"
    pytests_own = (rewrite.get_cache_dir, rewrite._rewrite_test)
    undo = cache_rewritten_modules(prefix)
    assert undo is not _nothing_to_undo, "this pytest lacks what cache_rewritten_modules patches"
    rewritten: list[str] = []
    keeping = rewrite._rewrite_test

    def counted(fn: Path, config: pytest.Config) -> tuple[bytes, CodeType]:
        rewritten.append(fn.name)
        return keeping(fn, config)

    rewrite._rewrite_test = counted
    try:
        pytester.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)
        kept = prefix.joinpath(*module.parts[1:-1]) / f"test_cached{rewrite.PYC_TAIL}"
        assert kept.is_file()
        assert not (module.parent / "__pycache__").exists()  # nothing beside the sources
        pytester.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)
        assert rewritten == ["test_cached.py"]  # the second session read it back
        # Changed, the module is rewritten again, with its new asserts.
        module.write_text(TEST_MODULE.format(3))
        changed = pytester.runpytest_inprocess("-p", "no:cacheprovider")
        changed.assert_outcomes(failed=1)
        changed.stdout.fnmatch_lines(["*assert (1 + 1) == 3"])
        assert rewritten == ["test_cached.py", "test_cached.py"]
    finally:
        undo()
    assert (rewrite.get_cache_dir, rewrite._rewrite_test) == pytests_own
