"""``plan_permissions(..., steps=...)``: the plan of some steps, read off the whole definition."""

from __future__ import annotations

from typing import Any

import pytest

from cdk_sagemaker_pipelines.definition import (
    Code,
    Image,
    PipelineDefinition,
    ProcessingOutput,
    ProcessingStep,
    StaticBinder,
    TrainingStep,
)
from cdk_sagemaker_pipelines.definition.permissions import (
    PermissionPlan,
    S3Access,
    _may_overlap,
    plan_permissions,
)
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


def test_a_subset_plan_gets_the_output_keys_of_the_other_steps_it_reads() -> None:
    # Prep's output (its key) → Train; Report writes elsewhere with a key of its own. (Under
    # the same pipeline prefix it would count: IAM's * in "churn/*/Report" takes any text.)
    prep = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/prep.py"),
        outputs=["train"],
        volume_kms_key="prep-volume",
        output_kms_key="prep-out",
    )
    train = TrainingStep(
        name="Train",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/train.py"),
        inputs={"train": prep.output("train")},
        output_kms_key="train-out",
    )
    report = ProcessingStep(
        name="Report",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/report.py"),
        outputs=[
            ProcessingOutput(
                output_name="report",
                source="/opt/ml/processing/report",
                destination="s3://report-bucket/churn/",
            )
        ],
        output_kms_key="report-out",
    )
    binder = StaticBinder(region="us-east-1", role_arn=ROLE, default_bucket="my-bucket")
    definition = PipelineDefinition(steps=[train, report]).to_definition(binder)

    def keys(*steps: str) -> list[Any]:
        return plan_permissions(definition, pipeline_name="churn", steps=steps).kms_keys

    # Prep's volume key is no key of its output: not Train's.
    assert keys("Train") == ["train-out", "prep-out"]
    assert keys("Prep") == ["prep-volume", "prep-out"]
    assert keys("Report") == ["report-out"]


def test_the_plans_of_every_step_alone_get_the_keys_of_what_each_reads() -> None:
    # dedicated_step_roles="*": each job step planned alone. Prep → Train → Evaluate, each
    # output with a key of its own; Evaluate reads Prep's output and Train's model.
    prep = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/prep.py"),
        outputs=["train", "test"],
        output_kms_key="prep-out",
    )
    train = TrainingStep(
        name="Train",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/train.py"),
        inputs={"train": prep.output("train")},
        output_kms_key="train-out",
    )
    evaluate = ProcessingStep(
        name="Evaluate",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/evaluate.py"),
        inputs={
            "model": train.properties.ModelArtifacts.S3ModelArtifacts,
            "test": prep.output("test"),
        },
        outputs=["report"],
        output_kms_key="evaluate-out",
    )
    binder = StaticBinder(region="us-east-1", role_arn=ROLE, default_bucket="my-bucket")
    definition = PipelineDefinition(steps=[evaluate]).to_definition(binder)

    def plan(step: str) -> PermissionPlan:
        return plan_permissions(definition, pipeline_name="churn", steps=[step])

    # Prep reads no step's output: its own key alone.
    assert plan("Prep").kms_keys == ["prep-out"]
    # A step reading under churn/*/… gets the key of every step writing there too: IAM's *
    # takes '/', so Evaluate's role may write an object under churn/<id>/Prep/train/.
    assert plan("Train").kms_keys == ["train-out", "prep-out", "evaluate-out"]
    assert plan("Evaluate").kms_keys == ["evaluate-out", "prep-out", "train-out"]
    # Each writes its own outputs, nothing of the others.
    assert plan("Train").writes == [S3Access("my-bucket", "churn/*/Train/model")]
    assert S3Access("my-bucket", "churn/*/Prep/train") in plan("Train").reads
    assert S3Access("my-bucket", "churn/*/Prep/test") not in plan("Train").reads
    # No step left to the step role: an empty plan, no key.
    assert plan_permissions(definition, pipeline_name="churn", steps=()) == PermissionPlan()


@pytest.mark.parametrize(
    ("first", "second", "overlap"),
    [
        (S3Access("b", "churn/*/Prep/train"), S3Access("b", "churn/*/Prep/train"), True),
        (S3Access("b", "churn/*/Train/model"), S3Access("b", "churn/"), True),
        (S3Access("b", "*/output/model.tar.gz"), S3Access("b", ""), True),
        # IAM's * takes any text, / too: an object may match both.
        (S3Access("b", "churn/*/Prep/train"), S3Access("b", "churn/*/Eval/report"), True),
        (S3Access("b", "executions/churn/*/Prep"), S3Access("b", "models/churn/*/Train"), False),
        (S3Access("b", "in/"), S3Access("b", "out/"), False),
        (S3Access("b", "in/"), S3Access("c", "in/"), False),
        (S3Access("b", "a*c"), S3Access("b", "ab*d"), True),
    ],
)
def test_locations_overlap_where_an_object_may_be_in_both(
    first: S3Access, second: S3Access, overlap: bool
) -> None:
    assert _may_overlap(first, second) is overlap
    assert _may_overlap(second, first) is overlap
