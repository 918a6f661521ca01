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
from collections.abc import Iterator

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


@pytest.fixture(autouse=True)
def _no_jsii_in_this_session(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if _forbidden() and not _first_offender and "jsii" in sys.modules:
        _first_offender.append(request.node.nodeid)
        pytest.fail(
            f"{request.node.nodeid} started jsii, with {VARIABLE}=1: {_HINT}", pytrace=False
        )
