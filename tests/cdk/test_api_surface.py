"""docs/api-surface.txt records the ``cdk`` modules' API too (their import starts jsii).

tests/test_api_surface.py checks the other modules, in the session without jsii.
"""

from __future__ import annotations

import pytest

from tests.conftest import load_script


def test_the_public_cdk_api_is_the_recorded_one() -> None:
    api = load_script("api_surface")
    diff = api.stale(
        api.surface(include_cdk=True),
        api.SURFACE_FILE.read_text(),
        only=api.is_cdk,
    )
    if diff:
        pytest.fail(api.failure_message(diff), pytrace=False)
