"""The guard that keeps jsii out of the session running beside tests/cdk (tests/jsii_guard.py)."""

from __future__ import annotations

import sys
import types

import pytest

from tests import jsii_guard
from tests.jsii_guard import VARIABLE

# A stand-in for importing aws_cdk: the guard only looks for the module, and the real one
# would start Node.
STARTS_JSII = "import sys, types\nsys.modules.setdefault('jsii', types.ModuleType('jsii'))\n"
STARTS_JSII_IN_A_TEST = (
    "def test_starts():\n    import sys, types\n"
    "    sys.modules.setdefault('jsii', types.ModuleType('jsii'))\n"
)


@pytest.fixture
def sessions(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """Sessions run in this process (``runpytest_inprocess``), each with a guard of its own.

    A fresh interpreter each cost about 0.25 s of CPU. Here the guard's record of the first
    offender is the session's own, and pytester takes away the stand-in ``jsii`` module
    when the session ends: this session's guard sees neither. The real one, which a
    ``pytest`` of the whole suite has loaded by now (tests/cdk), is out of their sight.
    """
    monkeypatch.setattr(jsii_guard, "_first_offender", [])
    monkeypatch.delitem(sys.modules, "jsii", raising=False)
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")  # only the guard is needed
    return pytester


@pytest.fixture
def guarded(sessions: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.setenv(VARIABLE, "1")
    return sessions


def test_the_first_test_that_starts_jsii_fails_by_name(guarded: pytest.Pytester) -> None:
    guarded.makepyfile(
        test_a="def test_plain():\n    pass\n",
        test_b=STARTS_JSII_IN_A_TEST,
        test_c="def test_after():\n    pass\n",
    )
    result = guarded.runpytest_inprocess("-p", "tests.jsii_guard", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(["*test_b.py::test_starts started jsii*belong under tests/cdk/*"])


def test_a_module_that_imports_jsii_when_collected_stops_the_session(
    guarded: pytest.Pytester,
) -> None:
    guarded.makepyfile(test_d=STARTS_JSII + "def test_x():\n    pass\n")
    result = guarded.runpytest_inprocess("-p", "tests.jsii_guard", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*imported jsii while being collected*"])


def test_without_the_variable_the_guard_does_nothing(
    sessions: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(VARIABLE, raising=False)
    sessions.makepyfile(test_b=STARTS_JSII + "def test_starts():\n    pass\n")
    result = sessions.runpytest_inprocess("-p", "tests.jsii_guard", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_a_test_whose_teardown_also_failed_reports_both(monkeypatch: pytest.MonkeyPatch) -> None:
    # The check runs after the test's own teardown; when that failed too, both are shown.
    monkeypatch.setenv(VARIABLE, "1")
    monkeypatch.setitem(sys.modules, "jsii", sys.modules.get("jsii") or types.ModuleType("jsii"))
    monkeypatch.setattr(jsii_guard, "_first_offender", [])
    item = types.SimpleNamespace(nodeid="test_b.py::test_starts")
    teardown = jsii_guard.pytest_runtest_teardown(item, None)  # type: ignore[arg-type]
    next(teardown)
    broken = RuntimeError("a fixture's teardown broke")

    with pytest.raises(BaseExceptionGroup) as raised:
        teardown.throw(broken)

    first, second = raised.value.exceptions
    assert first is broken
    assert str(second).startswith("test_b.py::test_starts started jsii")
    assert jsii_guard._first_offender == ["test_b.py::test_starts"]
