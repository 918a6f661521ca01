"""Job environments carry no literal secrets (passwords, tokens, keys)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from ._finding import Finding, all_steps, dig

# Environments of jobs (Processing, Training, Transform), tuning, models and the
# containers of registered model versions.
ENVIRONMENT_FIELDS = (
    "Environment",
    "TrainingJobDefinition.Environment",
    "PrimaryContainer.Environment",
    "Containers[*].Environment",
    "InferenceSpecification.Containers[*].Environment",
)
# A secret-like word delimited as a whole word of the variable name: DB_PASSWORD,
# HF_TOKEN, OPENAI_API_KEY; not TOKENIZERS_PARALLELISM or MAX_TOKENS.
_SECRET_NAME = re.compile(
    r"(?:^|[^A-Z0-9])(PASSWORD|PASSWD|SECRET|TOKEN|API[_-]?KEY|PRIVATE[_-]?KEY)(?:$|[^A-Z0-9])",
    re.IGNORECASE,
)
_ACCESS_KEY = re.compile(r"(AKIA|ASIA)[A-Z0-9]{16}")


def _environments(arguments: Any) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for field in ENVIRONMENT_FIELDS:
        head, _, tail = field.partition("[*].")
        if not tail:
            found = dig(arguments, field)
            if isinstance(found, Mapping):
                yield field, found
            continue
        items = dig(arguments, head)
        for index, item in enumerate(items if isinstance(items, list) else []):
            found = dig(item, tail)
            if isinstance(found, Mapping):
                yield f"{head}[{index}].{tail}", found


def check(definition: Mapping[str, Any]) -> list[Finding]:
    """Find literal values under secret-like names, and AWS access key ids anywhere."""
    findings = []
    for step in all_steps(definition):
        for field, environment in _environments(step.get("Arguments")):
            for name, value in environment.items():
                if not isinstance(value, str) or not value:
                    continue
                if _SECRET_NAME.search(str(name)) or _ACCESS_KEY.search(value):
                    findings.append(
                        Finding(
                            str(step.get("Name")), f"Arguments.{field}['{name}']", "literal secret"
                        )
                    )
    return findings
