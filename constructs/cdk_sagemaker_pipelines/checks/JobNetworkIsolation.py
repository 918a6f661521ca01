"""Every job runs in a VPC or with network isolation (for environments that require it).

An AutoML job has no network isolation (CreateAutoMLJob's ``SecurityConfig`` takes a VPC
only), so for it only a VPC complies.

An endpoint a pipeline deploys runs its models' containers with each model's network (a
Model step's, judged as a job's), but an endpoint of inference components, whose
configuration's variants name no model, with its configuration's: an EndpointConfig step
of that kind is judged by its ``VpcConfig`` and ``EnableNetworkIsolation``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._finding import Finding, all_steps, dig, endpoint_variants, job_arguments

# Per step type, the VPC field and the network-isolation field (None: the job has none).
NETWORK_FIELDS: dict[str, tuple[str, str | None]] = {
    "Processing": ("NetworkConfig.VpcConfig", "NetworkConfig.EnableNetworkIsolation"),
    "Training": ("VpcConfig", "EnableNetworkIsolation"),
    "Tuning": ("TrainingJobDefinition.VpcConfig", "TrainingJobDefinition.EnableNetworkIsolation"),
    "Model": ("VpcConfig", "EnableNetworkIsolation"),
    "AutoML": ("AutoMLJobConfig.SecurityConfig.VpcConfig", None),
    # An endpoint of inference components (see _hosts_inference_components).
    "EndpointConfig": ("VpcConfig", "EnableNetworkIsolation"),
}


def check(definition: Mapping[str, Any]) -> list[Finding]:
    """Find jobs, models and endpoints of inference components with no network protection.

    That is, with neither ``VpcConfig`` nor ``EnableNetworkIsolation``. Each training job
    definition of a tuning step is a job of its own.

    The finding names the isolation field, or the VPC field of a job that has no isolation.
    """
    findings = []
    for step in all_steps(definition):
        fields = NETWORK_FIELDS.get(str(step.get("Type")))
        if fields is None:
            continue
        vpc, isolation = fields
        if step.get("Type") == "EndpointConfig" and not _hosts_inference_components(step):
            continue
        for arguments, name in job_arguments(step):
            if dig(arguments, vpc):
                continue
            if isolation is not None and dig(arguments, isolation) is True:
                continue
            field = f"Arguments.{name(isolation if isolation is not None else vpc)}"
            findings.append(Finding(str(step.get("Name")), field, "open network access"))
    return findings


def _hosts_inference_components(step: Mapping[str, Any]) -> bool:
    """Whether an endpoint configuration's variants name no model (its network is its own).

    A variant that names a model runs it with the model's network, which the Model step
    that creates it (or whoever created it outside the pipeline) sets.
    """
    variants = [variant for _where, variant in endpoint_variants(step.get("Arguments"))]
    return bool(variants) and all(variant.get("ModelName") is None for variant in variants)
