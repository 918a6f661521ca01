"""Every job's storage volumes are encrypted with a customer-managed KMS key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._finding import Finding, all_steps, dig, job_arguments

# Per job type, the fields that can hold the volume key; the first is reported. A tuning
# job's training definition takes HyperParameterTuningResourceConfig (newer SDKs) or
# ResourceConfig (older ones): either is compliant.
VOLUME_KEY_FIELDS: dict[str, tuple[str, ...]] = {
    "Processing": ("ProcessingResources.ClusterConfig.VolumeKmsKeyId",),
    "Training": ("ResourceConfig.VolumeKmsKeyId",),
    "Tuning": (
        "TrainingJobDefinition.HyperParameterTuningResourceConfig.VolumeKmsKeyId",
        "TrainingJobDefinition.ResourceConfig.VolumeKmsKeyId",
    ),
    "Transform": ("TransformResources.VolumeKmsKeyId",),
    # The volumes of the processing, training and transform jobs Autopilot runs.
    "AutoML": ("AutoMLJobConfig.SecurityConfig.VolumeKmsKeyId",),
}


def check(definition: Mapping[str, Any]) -> list[Finding]:
    """Find jobs without ``VolumeKmsKeyId`` (each training job definition of a tuning step)."""
    findings = []
    for step in all_steps(definition):
        fields = VOLUME_KEY_FIELDS.get(str(step.get("Type")))
        if fields is None:
            continue
        for arguments, name in job_arguments(step):
            if not any(dig(arguments, field) for field in fields):
                field = f"Arguments.{name(fields[0])}"
                findings.append(Finding(str(step.get("Name")), field, "no KMS key"))
    return findings
