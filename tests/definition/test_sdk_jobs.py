"""How a Training step's job is recognised as one the SageMaker SDK's runtime runs."""

from __future__ import annotations

from typing import Any

import pytest

from cdk_sagemaker_pipelines.definition._sdk_jobs import sdk_job_kind

DRIVER = "/opt/ml/input/data/sagemaker_remote_function_bootstrap/job_driver.sh"


def job(entrypoint: list[str] | None = None, *channels: str) -> dict[str, Any]:
    """Training job arguments with this entry point and these channels."""
    algorithm: dict[str, Any] = {"TrainingImage": "image"}
    if entrypoint is not None:
        algorithm["ContainerEntrypoint"] = entrypoint
    return {
        "AlgorithmSpecification": algorithm,
        "InputDataConfig": [{"ChannelName": name} for name in channels],
    }


@pytest.mark.parametrize(
    ("arguments", "kind"),
    [
        # Each sign alone is enough: the entry point (as the SDK writes it) or the channel.
        (job(["/bin/bash", DRIVER]), "function"),
        (job(None, "sagemaker_remote_function_bootstrap"), "function"),
        (job(["amazon_sagemaker_scheduler"]), "notebook"),
        (job(None, "sagemaker_headless_execution_pipelinestep"), "notebook"),
        # The scheduler only as the program run, not as one of its arguments.
        (job(["python", "amazon_sagemaker_scheduler"]), None),
        (job(["python", "train.py"], "train"), None),
        (job(), None),
        ("not arguments", None),
    ],
)
def test_sdk_job_kind_reads_the_entry_point_or_the_channels(arguments: Any, kind: Any) -> None:
    assert sdk_job_kind(arguments) == kind
