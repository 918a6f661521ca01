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
