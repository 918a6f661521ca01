"""Every job encrypts what it writes to S3 with a customer-managed KMS key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._finding import Finding, all_steps, dig, job_arguments

OUTPUT_KEY_FIELDS = {
    "Processing": ("ProcessingOutputConfig", "ProcessingOutputConfig.KmsKeyId"),
    "Training": ("OutputDataConfig", "OutputDataConfig.KmsKeyId"),
    "Tuning": (
        "TrainingJobDefinition.OutputDataConfig",
        "TrainingJobDefinition.OutputDataConfig.KmsKeyId",
    ),
    "Transform": ("TransformOutput", "TransformOutput.KmsKeyId"),
    "AutoML": ("OutputDataConfig", "OutputDataConfig.KmsKeyId"),
}


def check(definition: Mapping[str, Any]) -> list[Finding]:
    """Find jobs with outputs but no output ``KmsKeyId`` (per tuning job definition too)."""
    findings = []
    for step in all_steps(definition):
        fields = OUTPUT_KEY_FIELDS.get(str(step.get("Type")))
        if fields is None:
            continue
        outputs, key = fields
        for arguments, name in job_arguments(step):
            if dig(arguments, outputs) is not None and not dig(arguments, key):
                field = f"Arguments.{name(key)}"
                findings.append(Finding(str(step.get("Name")), field, "no KMS key"))
    return findings
