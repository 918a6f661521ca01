"""A pytest plugin: in the session that runs beside ``tests/cdk``, no test may start jsii.

``scripts/run_tests.py`` runs ``tests/cdk`` (the only tests that use ``aws_cdk`` or
``cdk_nag``, and so jsii's Node process) in one session and every other test in a second
session beside it, with ``SMPIPE_TESTS_WITHOUT_JSII=1``. A test of that second session
that imported jsii would start a second Node process and slow both halves down, so this
plugin fails it, naming it, and tells where such a test belongs. Without the variable (a
plain ``pytest``) it does nothing.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Generator

import pytest

VARIABLE = "SMPIPE_TESTS_WITHOUT_JSII"
_HINT = "tests that use aws_cdk or cdk_nag belong under tests/cdk/ (run beside the others)"


def _forbidden() -> bool:
    return os.environ.get(VARIABLE) == "1"


def pytest_collection_finish(session: pytest.Session) -> None:
    """A test module that imports jsii when collected fails the whole session at once."""
    if _forbidden() and "jsii" in sys.modules:
        raise pytest.UsageError(
            f"a test module imported jsii while being collected, with {VARIABLE}=1: {_HINT}"
        )


_first_offender: list[str] = []


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, None, None]:
    """After a test's teardown: the first test that started jsii fails, by name.

    A hook rather than an autouse fixture (as it was): the fixture asked for ``request``,
    and pytest makes a fixture definition for that in every test of both sessions.
    """
    try:
        yield
    except (Exception, pytest.fail.Exception) as error:
        offence = _offence(item)
        if offence is None:
            raise
        # Both, as pytest reports a test's several failing finalizers.
        failure = pytest.fail.Exception(offence, pytrace=False)
        raise BaseExceptionGroup(f"errors while tearing down {item!r}", [error, failure]) from None
    offence = _offence(item)
    if offence is not None:
        pytest.fail(offence, pytrace=False)


def _offence(item: pytest.Item) -> str | None:
    """The failure message for ``item``, if it is the first test that started jsii."""
    if _forbidden() and not _first_offender and "jsii" in sys.modules:
        _first_offender.append(item.nodeid)
        return f"{item.nodeid} started jsii, with {VARIABLE}=1: {_HINT}"
    return None
