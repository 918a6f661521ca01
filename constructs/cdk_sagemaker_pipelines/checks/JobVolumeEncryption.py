"""Every job's storage volumes are encrypted with a customer-managed KMS key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._finding import Finding, all_steps, dig

VOLUME_KEY_FIELDS = {
    "Processing": "ProcessingResources.ClusterConfig.VolumeKmsKeyId",
    "Training": "ResourceConfig.VolumeKmsKeyId",
    "Tuning": "TrainingJobDefinition.HyperParameterTuningResourceConfig.VolumeKmsKeyId",
    "Transform": "TransformResources.VolumeKmsKeyId",
}


def check(definition: Mapping[str, Any]) -> list[Finding]:
    """Find jobs without ``VolumeKmsKeyId``."""
    findings = []
    for step in all_steps(definition):
        field = VOLUME_KEY_FIELDS.get(str(step.get("Type")))
        if field is not None and not dig(step.get("Arguments"), field):
            findings.append(Finding(str(step.get("Name")), f"Arguments.{field}", "no KMS key"))
    return findings
