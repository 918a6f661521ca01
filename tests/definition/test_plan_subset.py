"""``plan_permissions(..., steps=...)``: the plan of some steps, read off the whole definition."""

from __future__ import annotations

from typing import Any

import pytest

from cdk_sagemaker_pipelines.definition import (
    Code,
    Image,
    PipelineDefinition,
    ProcessingStep,
    StaticBinder,
    TrainingStep,
)
from cdk_sagemaker_pipelines.definition.permissions import S3Access, plan_permissions
from tests.conftest import ROLE


def _compiled() -> dict[str, Any]:
    """Prep (raw input, one output) → Train (reads Prep's output), into my-bucket."""
    prep = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/prep.py"),
        inputs={"raw": "s3://raw-data/incoming/"},
        outputs=["train"],
    )
    train = TrainingStep(
        name="Train",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/train.py"),
        inputs={"train": prep.output("train")},
    )
    binder = StaticBinder(region="us-east-1", role_arn=ROLE, default_bucket="my-bucket")
    return PipelineDefinition(steps=[train]).to_definition(binder)


def test_a_subset_plan_has_only_its_steps_reads_and_writes() -> None:
    definition = _compiled()
    prep_output = S3Access("my-bucket", "churn/*/Prep/train")

    prep = plan_permissions(definition, pipeline_name="churn", steps=frozenset({"Prep"}))
    train = plan_permissions(definition, pipeline_name="churn", steps=frozenset({"Train"}))

    assert prep.reads == [
        S3Access("raw-data", "incoming/"),
        S3Access("code-bucket", "prep.py"),
    ]
    assert prep.writes == [prep_output]
    # Train's reference to Prep's output resolves to that very location (not unattributed),
    # though Prep itself isn't planned.
    assert prep_output in train.reads
    assert S3Access("raw-data", "incoming/") not in train.reads
    assert prep_output not in train.writes
    assert train.unattributed == []
    assert (prep.step_types, train.step_types) == ({"Processing"}, {"Training"})


def test_the_subsets_of_every_step_add_up_to_the_whole_plan() -> None:
    definition = _compiled()
    whole = plan_permissions(definition, pipeline_name="churn")
    subsets = plan_permissions(definition, pipeline_name="churn", steps=["Prep", "Train"])
    assert subsets == whole
    assert plan_permissions(definition, pipeline_name="churn", steps=None) == whole


def test_fails_a_step_the_definition_lacks() -> None:
    with pytest.raises(ValueError, match=r"no step named 'Prepp' in the definition"):
        plan_permissions(_compiled(), steps=frozenset({"Prepp"}))
