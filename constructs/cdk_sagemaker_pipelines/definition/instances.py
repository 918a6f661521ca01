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


# Instance families whose ML storage is the instance's own NVMe store: encrypted by the
# instance's hardware, and the APIs refuse a key for them (CreateTrainingJob's
# VolumeKmsKeyId: "You can't request a VolumeKmsKeyId when using an instance type with local
# storage"; CreateEndpointConfig's KmsKeyId likewise). The CDK ModelEndpoint reads them too.
# The source is EC2's instance type specifications ("Instance storage": NVMe SSD): every
# family with a "d" (disk) after its generation, and the GPU and Trainium families from g5,
# p4d and trn1 on (the SageMaker SDK's volume_size_supported() knows only the "d" and g5
# ones). ml.g7 isn't in EC2's tables yet: classed with its g5-g7e siblings, as leaving a key
# out never fails a job while a refused key fails every run.
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
        "g7",
        "g7e",
        "m5d",
        "m6gd",
        "m6id",
        "p3dn",
        "p4d",
        "p4de",
        "p5",
        "p5e",
        "p5en",
        "p6-b200",
        "p6-b300",
        "p6e-gb200",
        "r5d",
        "r6gd",
        "r6id",
        "r7gd",
        "trn1",
        "trn1n",
        "trn2",
    }
)
# The families of botocore's instance type enums that are EBS-only: their volume takes the
# key. With INSTANCE_STORE_FAMILIES, every family SageMaker takes is in exactly one (a test
# enumerates botocore's enums, so a botocore upgrade with a new family fails until it's added).
EBS_FAMILIES = frozenset(
    {
        "c4",
        "c5",
        "c5n",
        "c6g",
        "c6gn",
        "c6i",
        "c6in",
        "c7g",
        "c7i",
        "c7i-flex",
        "c8g",
        "c8i",
        "c8i-flex",
        "inf1",
        "inf2",
        "m4",
        "m5",
        "m6g",
        "m6i",
        "m7i",
        "m7i-flex",
        "m8g",
        "m8i",
        "m8i-flex",
        "p2",
        "p3",
        "r5",
        "r6g",
        "r6i",
        "r7i",
        "r8g",
        "r8i",
        "r8i-flex",
        "t2",
        "t3",
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
    """Whether an instance type keeps its ML storage on its own NVMe store.

    Such instances take no ``VolumeKmsKeyId`` in a job, nor ``KmsKeyId`` in an endpoint
    configuration: their storage is encrypted by the hardware.

    Example::

        has_instance_store("ml.g5.2xlarge"), has_instance_store("ml.m5.large")  # True, False
    """
    return instance_family(instance_type) in INSTANCE_STORE_FAMILIES
