"""Every job's storage volumes are encrypted with a customer-managed KMS key.

So are the ML storage volumes of the instances of an endpoint a pipeline deploys: an
EndpointConfig step's ``KmsKeyId`` encrypts the volume of every instance of its variants
(shadow variants too). Instances whose ML storage is their own NVMe store (``ml.g5``,
``ml.p4d``, …: ``definition.instances.has_instance_store``) are encrypted by their hardware
and take no key, and a serverless variant has no volume: neither is a finding; nor is a
job that runs only on literal types of such instances (a training job on
``ml.p4d.24xlarge``). An instance type given as a parameter is judged by its default
value, except when its default is an NVMe type: the language gives such a job or endpoint
configuration no key (a run on the defaults would fail with one), so a run overriding it
with an EBS type has a volume without a key of yours, which is a finding saying so. So is a
heterogeneous cluster mixing NVMe and EBS groups: its key is one for the whole
``ResourceConfig``, refused with local storage, so its EBS groups get none. A type known
only at run time (a step property, a CloudFormation reference) is a finding, as nothing
shows it is encrypted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._finding import (
    Finding,
    all_steps,
    dig,
    endpoint_variants,
    job_arguments,
    parameter_defaults,
)

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
# An endpoint configuration's key for the volumes of all its variants' instances.
ENDPOINT_CONFIG = "EndpointConfig"
ENDPOINT_KEY_FIELD = "KmsKeyId"


def check(definition: Mapping[str, Any]) -> list[Finding]:
    """Find jobs, and endpoint configurations, whose volumes have no key of yours.

    A job without ``VolumeKmsKeyId`` (each training job definition of a tuning step); an
    endpoint configuration of instances with EBS volumes without ``KmsKeyId``.
    """
    defaults = parameter_defaults(definition)
    findings = []
    for step in all_steps(definition):
        if step.get("Type") == ENDPOINT_CONFIG:
            info = _endpoint_volume_problem(step.get("Arguments"), defaults)
            if info is not None:
                field = f"Arguments.{ENDPOINT_KEY_FIELD}"
                findings.append(Finding(str(step.get("Name")), field, info))
            continue
        fields = VOLUME_KEY_FIELDS.get(str(step.get("Type")))
        if fields is None:
            continue
        for arguments, name in job_arguments(step):
            if any(dig(arguments, field) for field in fields):
                continue
            info = _job_volume_problem(arguments, fields, defaults)
            if info is not None:
                field = f"Arguments.{name(fields[0])}"
                findings.append(Finding(str(step.get("Name")), field, info))
    return findings


def _job_volume_problem(
    arguments: Any, fields: tuple[str, ...], defaults: Mapping[str, Any]
) -> str | None:
    """What a job without a volume key leaves unencrypted by a key of yours, if anything.

    ``None`` when it runs only on literal instance types whose ML storage is their NVMe
    instance store: no EBS volume, and SageMaker refuses a ``VolumeKmsKeyId`` for them ("You
    can't request a VolumeKmsKeyId when using an instance type with local storage"). Each
    key field's resource configuration names the instance types, in ``InstanceType`` or its
    groups (``InstanceGroups``, a tuning job's ``InstanceConfigs``).
    """
    from ..definition.instances import has_instance_store

    ebs: list[str] = []  # instances with an EBS volume (or maybe one)
    stores: list[str] = []  # literal NVMe types: no key can be given while they're in
    overridable: list[str] = []  # parameters of an NVMe default: an EBS type can replace it
    for field in fields:
        resources = dig(arguments, field.rsplit(".", 1)[0])
        if not isinstance(resources, Mapping):
            continue
        groups = [
            group
            for member in ("InstanceGroups", "InstanceConfigs")
            for group in (resources.get(member) or ())
            if isinstance(resources.get(member), list)
        ]
        for where in groups or [resources]:
            value = where.get("InstanceType") if isinstance(where, Mapping) else None
            instance_type, parameter = _instance_type(value, defaults)
            if instance_type is None:
                ebs.append("an instance type known only at run time")
            elif not has_instance_store(instance_type):
                ebs.append(instance_type + (f" (parameter '{parameter}')" if parameter else ""))
            elif parameter:
                overridable.append(f"parameter '{parameter}' (default {instance_type})")
            else:
                stores.append(instance_type)
    if not ebs and not overridable:
        return None if stores else "no KMS key"
    info = "no KMS key"
    nvme = stores + overridable
    if ebs and nvme:
        # One key per ResourceConfig, refused while any group keeps NVMe storage (read
        # from the API reference; not verified against the service).
        info += (
            f" for the EBS volumes of {', '.join(ebs)}; none can be given while "
            f"{', '.join(nvme)} keeps its storage on an NVMe instance store (the key is one "
            "for the whole resource configuration, refused with local storage): run the "
            "EBS groups' work in a job of its own, or acknowledge the finding"
        )
    if overridable:
        shown = ", ".join(overridable)
        info += (
            f"{';' if ebs else ':'} the instance type is {shown}, an NVMe instance store that "
            "takes no key, so none is given; a run overriding it with an EBS type has a "
            "volume without a key of yours: give a literal instance type, or acknowledge "
            "the finding"
        )
    return info


def _endpoint_volume_problem(arguments: Any, defaults: Mapping[str, Any]) -> str | None:
    """What an endpoint configuration leaves unencrypted by a key of yours, if anything.

    ``None`` when it has a key, or when none of its variants has an EBS volume (all
    serverless, or on instances with an NVMe instance store).
    """
    if dig(arguments, ENDPOINT_KEY_FIELD):
        return None
    # Imported here: the language's package takes ~0.25 s to import, which a rule of one's
    # own that imports the checks shouldn't pay unless a definition has an endpoint.
    from ..definition.instances import has_instance_store

    volumes: list[str] = []  # the variants with an EBS volume (or maybe one)
    instance_stores: list[str] = []
    overridable: list[str] = []  # parameters of an NVMe default: an EBS type can replace it
    for where, variant in endpoint_variants(arguments):
        if variant.get("ServerlessConfig") is not None:
            continue  # no instances, no volume: SageMaker runs it on demand
        instance_type, parameter = _instance_type(variant.get("InstanceType"), defaults)
        if instance_type is None:
            volumes.append(f"{where} (an instance type known only at run time)")
            continue
        shown = f"{instance_type} ({where}"
        shown += f", the default of parameter '{parameter}')" if parameter else ")"
        (instance_stores if has_instance_store(instance_type) else volumes).append(shown)
        if parameter and has_instance_store(instance_type):
            overridable.append(f"parameter '{parameter}' (default {instance_type}, {where})")
    if not volumes and not overridable:
        return None
    if not volumes:
        # As a job's: the configuration gets no key (a run on the defaults would fail with
        # one), so a run overriding the parameter with an EBS type has none of yours.
        return (
            f"no KMS key: the instance type is {', '.join(overridable)}, an NVMe instance "
            "store that takes no key, so none is given; a run overriding it with an EBS "
            "type has a volume without a key of yours: give a literal instance type, or "
            "acknowledge the finding"
        )
    info = "no KMS key for the storage volumes of " + ", ".join(volumes)
    if instance_stores:
        keeps = (
            "keeps its storage on an NVMe instance store"
            if len(instance_stores) == 1
            else ("keep their storage on NVMe instance stores")
        )
        info += (
            f"; none can be given while {', '.join(instance_stores)} {keeps} "
            "(CreateEndpointConfig refuses a KmsKeyId then): deploy the variants with EBS "
            "volumes with an endpoint configuration of their own"
        )
    return info


def _instance_type(value: Any, defaults: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(the instance type, the parameter whose default it is): ``None`` if not known at synth.

    A literal (``ml.m5.large``) is itself; ``{"Get": "Parameters.X"}`` is X's default; a
    step property, or a CloudFormation reference (``${Ref:…}`` in a deployed definition),
    is known only at run time.
    """
    if isinstance(value, str):
        return (value, None) if value.startswith("ml.") and "${" not in value else (None, None)
    reference = value.get("Get") if isinstance(value, Mapping) and len(value) == 1 else None
    if isinstance(reference, str) and reference.startswith("Parameters."):
        parameter = reference.split(".", 1)[1]
        default = defaults.get(parameter)
        if isinstance(default, str) and default.startswith("ml.") and "${" not in default:
            return default, parameter
    return None, None
