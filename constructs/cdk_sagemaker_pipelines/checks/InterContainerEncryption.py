"""Jobs in a VPC encrypt the traffic between their instances."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._finding import Finding, all_steps, dig

FIELDS = {
    "Processing": (
        "NetworkConfig.VpcConfig",
        "NetworkConfig.EnableInterContainerTrafficEncryption",
    ),
    "Training": ("VpcConfig", "EnableInterContainerTrafficEncryption"),
    "Tuning": (
        "TrainingJobDefinition.VpcConfig",
        "TrainingJobDefinition.EnableInterContainerTrafficEncryption",
    ),
    "AutoML": (
        "AutoMLJobConfig.SecurityConfig.VpcConfig",
        "AutoMLJobConfig.SecurityConfig.EnableInterContainerTrafficEncryption",
    ),
}


def check(definition: Mapping[str, Any]) -> list[Finding]:
    """Find VPC jobs without ``EnableInterContainerTrafficEncryption``."""
    findings = []
    for step in all_steps(definition):
        fields = FIELDS.get(str(step.get("Type")))
        if fields is None:
            continue
        vpc, encryption = fields
        arguments = step.get("Arguments")
        if dig(arguments, vpc) and dig(arguments, encryption) is not True:
            findings.append(Finding(str(step.get("Name")), f"Arguments.{encryption}", "cleartext"))
    return findings
