"""Every job runs in a VPC or with network isolation (for environments that require it).

An AutoML job has no network isolation (CreateAutoMLJob's ``SecurityConfig`` takes a VPC
only), so for it only a VPC complies.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._finding import Finding, all_steps, dig, job_arguments

# Per step type, the VPC field and the network-isolation field (None: the job has none).
NETWORK_FIELDS: dict[str, tuple[str, str | None]] = {
    "Processing": ("NetworkConfig.VpcConfig", "NetworkConfig.EnableNetworkIsolation"),
    "Training": ("VpcConfig", "EnableNetworkIsolation"),
    "Tuning": ("TrainingJobDefinition.VpcConfig", "TrainingJobDefinition.EnableNetworkIsolation"),
    "Model": ("VpcConfig", "EnableNetworkIsolation"),
    "AutoML": ("AutoMLJobConfig.SecurityConfig.VpcConfig", None),
}


def check(definition: Mapping[str, Any]) -> list[Finding]:
    """Find jobs (and models) with neither ``VpcConfig`` nor ``EnableNetworkIsolation``.

    Each training job definition of a tuning step is a job of its own.

    The finding names the isolation field, or the VPC field of a job that has no isolation.
    """
    findings = []
    for step in all_steps(definition):
        fields = NETWORK_FIELDS.get(str(step.get("Type")))
        if fields is None:
            continue
        vpc, isolation = fields
        for arguments, name in job_arguments(step):
            if dig(arguments, vpc):
                continue
            if isolation is not None and dig(arguments, isolation) is True:
                continue
            field = f"Arguments.{name(isolation if isolation is not None else vpc)}"
            findings.append(Finding(str(step.get("Name")), field, "open network access"))
    return findings
