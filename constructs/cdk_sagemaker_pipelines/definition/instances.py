"""The instance types SageMaker takes for each kind of job, from botocore's model.

For a platform team's own checks (a configuration file's instance types, say) before a
definition is built: the same lists validation judges ``InstanceType`` fields by.
"""

from __future__ import annotations

from functools import cache

from ._errors import PipelineDefinitionError
from ._service_model import shape
from ._suggest import did_you_mean, one_of

# The request shape that lists each job kind's instance types.
_SHAPES = {
    "processing": "ProcessingInstanceType",
    "training": "TrainingInstanceType",
    "transform": "TransformInstanceType",
    "endpoint": "ProductionVariantInstanceType",
}


@cache
def instance_types(job: str) -> frozenset[str]:
    """The instance types SageMaker takes for a kind of job (``training``, ``processing``, …).

    Kinds: ``processing``, ``training``, ``transform``, ``endpoint``. Tuning jobs take the
    training ones; check and Clarify jobs the processing ones.

    Example::

        "ml.m5.large" in instance_types("training")  # True
        did_you_mean("ml.m5.lrge", instance_types("training"))  # "did you mean 'ml.m5.large' or …?"
    """
    name = _SHAPES.get(job)
    if name is None:
        hint = did_you_mean(str(job), _SHAPES) or f"one of {one_of(_SHAPES)}"
        raise PipelineDefinitionError(f"instance_types: no job kind {job!r} ({hint})")
    return frozenset(shape(name)["enum"])


# Instance families whose ML storage is the instance's own NVMe store (SageMaker guide,
# "Host instance storage volumes"): encrypted by the instance's hardware, and
# CreateEndpointConfig refuses a KmsKeyId for them. The CDK ModelEndpoint reads them too.
# Every family with a "d" (disk) is one: the SageMaker SDK's volume_size_supported() rule.
INSTANCE_STORE_FAMILIES = frozenset(
    {
        "c5d",
        "c6gd",
        "c6id",
        "dl1",
        "g4dn",
        "g5",
        "g6",
        "g6e",
        "m5d",
        "m6gd",
        "m6id",
        "p3dn",
        "p4d",
        "p4de",
        "p5",
        "p5e",
        "p5en",
        "r5d",
        "r6gd",
        "r6id",
        "r7gd",
        "trn1",
        "trn1n",
    }
)


def instance_family(instance_type: str) -> str:
    """``ml.g4dn.xlarge`` → ``g4dn`` (empty for anything else).

    Example::

        instance_family("ml.g5.2xlarge")  # "g5"
    """
    parts = instance_type.split(".")
    return parts[1] if len(parts) == 3 else ""


def has_instance_store(instance_type: str) -> bool:
    """Whether an endpoint instance type keeps its ML storage on its own NVMe store.

    Such instances take no ``KmsKeyId`` in an endpoint configuration: their storage is
    encrypted by the hardware.

    Example::

        has_instance_store("ml.g5.2xlarge"), has_instance_store("ml.m5.large")  # True, False
    """
    return instance_family(instance_type) in INSTANCE_STORE_FAMILIES
