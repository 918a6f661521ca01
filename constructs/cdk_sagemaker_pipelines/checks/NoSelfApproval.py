"""A pipeline registers model versions pending manual approval, never approved."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._finding import Finding, all_steps

PENDING = "PendingManualApproval"


def check(definition: Mapping[str, Any]) -> list[Finding]:
    """Find RegisterModel steps whose approval status isn't (by default) pending."""
    defaults = {
        entry.get("Name"): entry.get("DefaultValue")
        for entry in definition.get("Parameters") or []
        if isinstance(entry, Mapping)
    }
    findings = []
    for step in all_steps(definition):
        if step.get("Type") != "RegisterModel":
            continue
        status = (step.get("Arguments") or {}).get("ModelApprovalStatus", PENDING)
        if isinstance(status, Mapping) and str(status.get("Get", "")).startswith("Parameters."):
            status = defaults.get(str(status["Get"]).split(".", 1)[1])
        if isinstance(status, str) and status != PENDING:
            findings.append(
                Finding(
                    str(step.get("Name")), "Arguments.ModelApprovalStatus", f"registers {status}"
                )
            )
    return findings
