"""Every job runs in a VPC or with network isolation (for environments that require it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._finding import Finding, all_steps, dig

NETWORK_FIELDS = {
    "Processing": ("NetworkConfig.VpcConfig", "NetworkConfig.EnableNetworkIsolation"),
    "Training": ("VpcConfig", "EnableNetworkIsolation"),
    "Tuning": ("TrainingJobDefinition.VpcConfig", "TrainingJobDefinition.EnableNetworkIsolation"),
    "Model": ("VpcConfig", "EnableNetworkIsolation"),
}


def check(definition: Mapping[str, Any]) -> list[Finding]:
    """Find jobs (and models) with neither ``VpcConfig`` nor ``EnableNetworkIsolation``."""
    findings = []
    for step in all_steps(definition):
        fields = NETWORK_FIELDS.get(str(step.get("Type")))
        if fields is None:
            continue
        vpc, isolation = fields
        arguments = step.get("Arguments")
        if not dig(arguments, vpc) and dig(arguments, isolation) is not True:
            findings.append(
                Finding(str(step.get("Name")), f"Arguments.{isolation}", "open network access")
            )
    return findings
