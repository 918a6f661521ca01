"""Every job encrypts what it writes to S3 with a customer-managed KMS key.

So does an endpoint a pipeline deploys: an EndpointConfig step's ``DataCaptureConfig``
writes the requests and responses it captures (unless ``EnableCapture`` is ``false``), and
its ``AsyncInferenceConfig`` writes asynchronous inference results (``OutputConfig``), each
with its own ``KmsKeyId``; without one S3's default key encrypts them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._finding import Finding, all_steps, dig, job_arguments

# Per step type, (what writes to S3, its key) of each place it writes from: a job's
# outputs; an endpoint's captured data and asynchronous inference results.
OUTPUT_KEY_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "Processing": (("ProcessingOutputConfig", "ProcessingOutputConfig.KmsKeyId"),),
    "Training": (("OutputDataConfig", "OutputDataConfig.KmsKeyId"),),
    "Tuning": (
        (
            "TrainingJobDefinition.OutputDataConfig",
            "TrainingJobDefinition.OutputDataConfig.KmsKeyId",
        ),
    ),
    "Transform": (("TransformOutput", "TransformOutput.KmsKeyId"),),
    "AutoML": (("OutputDataConfig", "OutputDataConfig.KmsKeyId"),),
    "EndpointConfig": (
        ("DataCaptureConfig", "DataCaptureConfig.KmsKeyId"),
        ("AsyncInferenceConfig.OutputConfig", "AsyncInferenceConfig.OutputConfig.KmsKeyId"),
    ),
}


def check(definition: Mapping[str, Any]) -> list[Finding]:
    """Find jobs, and endpoint configurations, writing to S3 without a ``KmsKeyId``.

    A job with outputs (each training job definition of a tuning step too); an endpoint
    configuration capturing data, or writing asynchronous inference results.
    """
    findings = []
    for step in all_steps(definition):
        for outputs, key in OUTPUT_KEY_FIELDS.get(str(step.get("Type")), ()):
            for arguments, name in job_arguments(step):
                written = dig(arguments, outputs)
                if written is None or _capture_off(outputs, written) or dig(arguments, key):
                    continue
                field = f"Arguments.{name(key)}"
                findings.append(Finding(str(step.get("Name")), field, "no KMS key"))
    return findings


def _capture_off(outputs: str, written: Any) -> bool:
    """Whether ``written`` is a ``DataCaptureConfig`` that captures nothing (literally off)."""
    return outputs == "DataCaptureConfig" and dig(written, "EnableCapture") is False
