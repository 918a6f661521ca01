"""Job environments carry no literal secrets (passwords, tokens, keys)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ._finding import Finding, all_steps, dig

ENVIRONMENT_FIELDS = (
    "Environment",
    "TrainingJobDefinition.Environment",
    "PrimaryContainer.Environment",
)
_SECRET_NAME = re.compile(r"(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY)", re.IGNORECASE)
_ACCESS_KEY = re.compile(r"(AKIA|ASIA)[A-Z0-9]{16}")


def check(definition: Mapping[str, Any]) -> list[Finding]:
    """Find literal values under secret-like names, and AWS access key ids anywhere."""
    findings = []
    for step in all_steps(definition):
        arguments = step.get("Arguments")
        for field in ENVIRONMENT_FIELDS:
            environment = dig(arguments, field)
            if not isinstance(environment, Mapping):
                continue
            for name, value in environment.items():
                if not isinstance(value, str) or not value:
                    continue
                if _SECRET_NAME.search(name) or _ACCESS_KEY.search(value):
                    findings.append(
                        Finding(
                            str(step.get("Name")), f"Arguments.{field}['{name}']", "literal secret"
                        )
                    )
    return findings
