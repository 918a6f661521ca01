"""Jobs in a VPC encrypt the traffic between their instances."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._finding import Finding, all_steps, dig, job_arguments

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
    """Find VPC jobs without ``EnableInterContainerTrafficEncryption`` (per tuning definition)."""
    findings = []
    for step in all_steps(definition):
        fields = FIELDS.get(str(step.get("Type")))
        if fields is None:
            continue
        vpc, encryption = fields
        for arguments, name in job_arguments(step):
            if dig(arguments, vpc) and dig(arguments, encryption) is not True:
                field = f"Arguments.{name(encryption)}"
                findings.append(Finding(str(step.get("Name")), field, "cleartext"))
    return findings
