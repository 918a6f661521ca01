"""Every job runs in a VPC or with network isolation (for environments that require it).

An AutoML job has no network isolation (CreateAutoMLJob's ``SecurityConfig`` takes a VPC
only), so for it only a VPC complies.

An endpoint a pipeline deploys runs each variant with what runs on it: a variant that
names a model runs it with the model's network (a Model step's, judged as a job's); a
variant that names none hosts inference components, which run with the configuration's
network. So an EndpointConfig step with at least one variant of the second kind (shadow
variants too), alone or beside variants of models, is judged by its ``VpcConfig`` and
``EnableNetworkIsolation``; one whose variants all name models is not judged itself.
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
    # The network of the inference components on the variants that name no model (see
    # _component_variants).
    "EndpointConfig": ("VpcConfig", "EnableNetworkIsolation"),
}
OPEN = "open network access"


def check(definition: Mapping[str, Any]) -> list[Finding]:
    """Find jobs, models and inference components with no network protection.

    That is, with neither ``VpcConfig`` nor ``EnableNetworkIsolation``. Each training job
    definition of a tuning step is a job of its own; an endpoint configuration is judged
    for the inference components on its variants that name no model (the finding names
    those variants when others of the configuration name models).

    The finding names the isolation field, or the VPC field of a job that has no isolation.
    """
    findings = []
    for step in all_steps(definition):
        fields = NETWORK_FIELDS.get(str(step.get("Type")))
        if fields is None:
            continue
        vpc, isolation = fields
        info = OPEN
        if step.get("Type") == "EndpointConfig":
            components, models = _component_variants(step)
            if not components:
                continue  # each variant runs a model, in the model's network
            if models:
                info = f"{OPEN} for the inference components of {', '.join(components)}"
        for arguments, name in job_arguments(step):
            if dig(arguments, vpc):
                continue
            if isolation is not None and dig(arguments, isolation) is True:
                continue
            field = f"Arguments.{name(isolation if isolation is not None else vpc)}"
            findings.append(Finding(str(step.get("Name")), field, info))
    return findings


def _component_variants(step: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """Where an endpoint configuration's variants name no model, and where they name one.

    A variant that names no model hosts inference components, which run in the
    configuration's network; one that names a model runs it in the model's network, which
    the Model step that creates it (or whoever created it outside the pipeline) sets.
    """
    components: list[str] = []
    models: list[str] = []
    for where, variant in endpoint_variants(step.get("Arguments")):
        (models if variant.get("ModelName") is not None else components).append(where)
    return components, models
