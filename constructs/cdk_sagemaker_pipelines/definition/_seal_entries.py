"""How a ``SealStep`` looks in a compiled definition, for readers of the JSON.

The planner, the CDK construct and the local runner read definitions, not step objects:
they recognise a seal step by its ``Arguments.Action``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SEAL_ACTION = "cdk-sagemaker-pipelines:seal"
"""The ``Arguments.Action`` that marks a Lambda step entry as a ``SealStep``'s."""
SEALED_PREFIX = "sealed/"
"""Where sealed copies go in the artifact bucket: ``sealed/<pipeline>/<execution>/<step>/…``."""


def is_seal_entry(entry: Mapping[str, Any]) -> bool:
    """Whether a definition step entry is a ``SealStep``'s (a Lambda step with its marker).

    Example::

        is_seal_entry({"Type": "Lambda", "Arguments": {"Action": SEAL_ACTION}})  # True
    """
    arguments = entry.get("Arguments")
    return (
        entry.get("Type") == "Lambda"
        and isinstance(arguments, Mapping)
        and arguments.get("Action") == SEAL_ACTION
    )
