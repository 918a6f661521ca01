"""``Pipeline(allowed_instance_types=…)``: a cap on the instance types a pipeline may start.

Checked at synth against every instance type the definition names (and every value an
instance-type parameter may take), and enforced by a ``Deny`` of the pipeline role on
``sagemaker:InstanceTypes`` for what an execution may still change.
"""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk.assertions import Match, Template

from cdk_sagemaker_pipelines.cdk import Pipeline
from cdk_sagemaker_pipelines.definition import (
    Code,
    ContinuousParameter,
    EndpointConfigStep,
    Image,
    InstanceGroup,
    ModelStep,
    ParameterString,
    PipelineDefinition,
    PipelineValidationError,
    ProcessingStep,
    ProductionVariant,
    TrainingJobDefinition,
    TrainingStep,
    TransformStep,
    TuningStep,
)
from tests.cdk.conftest import new_stack
from tests.cdk.helpers import (
    ACCOUNT,
    REGION,
    TRAIN,
    pipeline_under_nag,
    prep_and_train,
    statements,
    synthesized,
)

SM = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}"
IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/churn:1"
CAP = ["ml.m5.*", "ml.c5.xlarge"]


def _tune(name: str, instance_type: str) -> TrainingJobDefinition:
    return TrainingJobDefinition(
        name=name,
        image=Image.xgboost("1.7-1"),
        inputs={"train": "s3://data-bucket/train/"},
        objective_metric_name="validation:auc",
        hyperparameter_ranges={"eta": ContinuousParameter(min_value=0.01, max_value=0.3)},
        instance_type=instance_type,
    )


def test_fails_every_instance_type_outside_the_cap_naming_the_step_field_or_parameter():
    train_type = ParameterString(name="TrainType", default_value="ml.p4d.24xlarge")
    score_type = ParameterString(
        name="ScoreType",
        default_value="ml.m5.large",
        enum_values=["ml.m5.large", "ml.p3.16xlarge"],
    )
    prep = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/prep.py"),
        instance_type="ml.p3.16xlarge",
    )
    score = ProcessingStep(
        name="Score",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/score.py"),
        instance_type=score_type,
    )
    train = TrainingStep(
        name="Train",
        image=Image.sklearn("1.2-1"),
        code=Code.from_asset(TRAIN),
        inputs={"train": "s3://data-bucket/train/"},
        instance_type=train_type,
    )
    cluster = TrainingStep(
        name="Cluster",
        image=Image.pytorch("2.1", processor="gpu", py_version="py310"),
        code=Code.from_asset(TRAIN),
        inputs={"train": "s3://data-bucket/train/"},
        instance_groups=[
            InstanceGroup(name="data", instance_type="ml.c5.xlarge", instance_count=2),
            InstanceGroup(name="gpu", instance_type="ml.p3.2xlarge", instance_count=1),
        ],
    )
    tune = TuningStep(
        name="Tune",
        training_job_definitions=[
            _tune("cpu", "ml.m5.xlarge"),
            _tune("gpu", "ml.g5.12xlarge"),
        ],
        max_jobs=2,
        max_parallel_jobs=1,
    )
    definition = PipelineDefinition(
        parameters=[train_type, score_type], steps=[prep, score, train, cluster, tune]
    )
    with pytest.raises(PipelineValidationError) as raised:
        Pipeline(new_stack(), "Training", definition=definition, allowed_instance_types=CAP)
    cap = "'ml.m5.*', 'ml.c5.xlarge'"
    fix = "choose an instance type the cap allows, or widen the cap"
    assert str(raised.value) == (
        "Pipeline Test/Training has 5 problems:\n"
        "- step 'Cluster' field 'Arguments.ResourceConfig.InstanceGroups[1].InstanceType': "
        f"instance type 'ml.p3.2xlarge' is outside allowed_instance_types ({cap}) ({fix})\n"
        "- step 'Prep' field 'Arguments.ProcessingResources.ClusterConfig.InstanceType': "
        f"instance type 'ml.p3.16xlarge' is outside allowed_instance_types ({cap}) ({fix})\n"
        "- pipeline field 'Parameters[1].EnumValues': parameter 'ScoreType' value "
        "'ml.p3.16xlarge' (the instance type of step 'Score' field "
        "'Arguments.ProcessingResources.ClusterConfig.InstanceType') is outside "
        f"allowed_instance_types ({cap}) (an execution may start it: drop it from the "
        "EnumValues, or widen the cap)\n"
        "- pipeline field 'Parameters[0].DefaultValue': parameter 'TrainType' default "
        "'ml.p4d.24xlarge' (the instance type of step 'Train' field "
        "'Arguments.ResourceConfig.InstanceType') is outside allowed_instance_types "
        f"({cap}) (choose a default the cap allows, or widen the cap)\n"
        "- step 'Tune' field "
        "'Arguments.TrainingJobDefinitions[1].HyperParameterTuningResourceConfig.InstanceType': "
        "instance type "
        f"'ml.g5.12xlarge' is outside allowed_instance_types ({cap}) ({fix})"
    )
    # Each problem names its step and field, for the catalogue tests.
    assert [(problem.step, problem.field) for problem in raised.value.problems] == [
        ("Cluster", "Arguments.ResourceConfig.InstanceGroups[1].InstanceType"),
        ("Prep", "Arguments.ProcessingResources.ClusterConfig.InstanceType"),
        (None, "Parameters[1].EnumValues"),
        (None, "Parameters[0].DefaultValue"),
        (
            "Tune",
            "Arguments.TrainingJobDefinitions[1].HyperParameterTuningResourceConfig.InstanceType",
        ),
    ]


@pytest.mark.parametrize(
    ("cap", "message"),
    [
        (
            ["ml.m5.*", "ml.g5x.*"],
            r"prop 'allowed_instance_types': pattern 'ml.g5x.\*' matches no instance type "
            r"SageMaker takes \(did you mean 'ml.g5.\*'",
        ),
        (
            ["ml.m5.lrge"],
            r"prop 'allowed_instance_types': 'ml.m5.lrge' is no instance type SageMaker takes "
            r"\(botocore's processing, training, transform and endpoint instance types\) "
            r"\(did you mean 'ml.m5.large'",
        ),
        (["m5.large"], r"'m5.large' is no instance type .* \(did you mean 'ml.m5.large'\?\)"),
        ([], r"'allowed_instance_types': an empty cap would deny every job"),
        ("ml.m5.*", r"'allowed_instance_types': expected a list of instance types or patterns"),
    ],
)
def test_fails_a_cap_that_names_no_instance_type_sagemaker_takes(cap: Any, message: str):
    with pytest.raises(PipelineValidationError, match=message):
        Pipeline(new_stack(), "Training", definition=prep_and_train(), allowed_instance_types=cap)


def _capped_pipeline() -> PipelineDefinition:
    """Every kind of step the cap reaches, within it; two instance types known at run time."""
    open_type = ParameterString(name="TrainType", default_value="ml.m5.xlarge")
    fixed_type = ParameterString(
        name="ScoreType", default_value="ml.m5.large", enum_values=["ml.m5.large", "ml.m5.xlarge"]
    )
    prep = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/prep.py"),
        instance_type=fixed_type,
    )
    train = TrainingStep(
        name="Train",
        image=Image.sklearn("1.2-1"),
        code=Code.from_asset(TRAIN),
        inputs={"train": "s3://data-bucket/train/"},
        instance_type=open_type,
    )
    tune = TuningStep(name="Tune", training_job_definitions=[_tune("cpu", "ml.m5.xlarge")])
    model = ModelStep(name="CreateModel", image=IMAGE, model_data="s3://models-bucket/m.tar.gz")
    score = TransformStep(
        name="Score",
        model_name=model.properties.ModelName,
        input_data="s3://batch-bucket/in/",
        output_path="s3://batch-bucket/out/",
        instance_type="ml.c5.xlarge",
    )
    config = EndpointConfigStep(
        name="Config",
        endpoint_config_name="churn",
        production_variants=[ProductionVariant(instance_type="ml.m5.large")],
    )
    return PipelineDefinition(
        parameters=[open_type, fixed_type], steps=[prep, train, tune, score, config]
    )


class Capped:
    def __init__(self) -> None:
        # Under cdk-nag: the Deny's wildcards (job names, instance-type patterns) pass.
        self.pipeline, self.template, self.annotations = pipeline_under_nag(
            _capped_pipeline(), "churn", allowed_instance_types=CAP
        )
        assert self.pipeline.role_policy is not None
        self.role = statements(self.template, self.pipeline.role_policy)


@pytest.fixture(scope="module")
def capped() -> Capped:
    return Capped()


def test_the_pipeline_role_denies_each_create_call_on_another_instance_type(capped: Capped):
    assert capped.role["DenyOtherInstanceTypes"] == {
        "Sid": "DenyOtherInstanceTypes",
        "Effect": "Deny",
        # CDK writes a statement's actions and resources sorted.
        "Action": [
            "sagemaker:CreateEndpointConfig",
            "sagemaker:CreateHyperParameterTuningJob",
            "sagemaker:CreateProcessingJob",
            "sagemaker:CreateTrainingJob",
            "sagemaker:CreateTransformJob",
        ],
        # What the Allow statements grant each action: the jobs' names (a tuning job's has
        # no pipelines- prefix), the configuration's (suffixed per execution).
        "Resource": [
            f"{SM}:endpoint-config/churn*",
            f"{SM}:hyper-parameter-tuning-job/*",
            f"{SM}:processing-job/pipelines-*",
            f"{SM}:training-job/pipelines-*",
            f"{SM}:transform-job/pipelines-*",
        ],
        "Condition": {"ForAnyValue:StringNotLike": {"sagemaker:InstanceTypes": CAP}},
    }
    # Only the creates: the Allow statements keep their Describe/Stop actions unconditioned.
    assert capped.role["TrainingJobs"]["Effect"] == "Allow"
    assert "Condition" not in capped.role["TrainingJobs"]


def test_an_instance_type_parameter_without_enum_values_is_warned(capped: Capped):
    found = capped.annotations.find_warning("*", Match.string_like_regexp("open-instance-type"))
    assert [str(entry.entry.data) for entry in found] == [
        "allowed_instance_types can't check the instance-type parameter 'TrainType' (no "
        "EnumValues: an execution may give any value) at synth: only the pipeline role's "
        "DenyOtherInstanceTypes statement guards them, and an execution started with an "
        "instance type outside the cap fails at that step rather than at its start. Give the "
        "parameter EnumValues within the cap (ParameterString(..., enum_values=[...])) to "
        "refuse such a value when the execution starts. "
        "[ack: cdk-sagemaker-pipelines:open-instance-type]"
    ]


def test_without_a_cap_there_is_no_deny_and_no_warning():
    stack = new_stack()
    pipeline = Pipeline(stack, "Training", definition=_capped_pipeline(), pipeline_name="churn")
    template, annotations = synthesized(stack)
    assert "DenyOtherInstanceTypes" not in statements(template, pipeline.role_policy)
    assert annotations.find_warning("*", Match.string_like_regexp("open-instance-type")) == []


def test_a_pipeline_of_no_capped_step_gets_no_deny():
    # A Model step's CreateModel takes no instance type: nothing to deny.
    stack = new_stack()
    model = ModelStep(name="CreateModel", image=IMAGE, model_data="s3://models-bucket/m.tar.gz")
    pipeline = Pipeline(
        stack,
        "Models",
        definition=PipelineDefinition(steps=[model]),
        allowed_instance_types=CAP,
    )
    assert "DenyOtherInstanceTypes" not in statements(
        Template.from_stack(stack), pipeline.role_policy
    )


def test_an_immutable_pipeline_role_is_told_the_cap_holds_only_with_its_policy_attached():
    # The Deny is in the policy the construct can't attach: a role that "already allows the
    # same" would run without the cap, which the warning must not leave unsaid.
    from aws_cdk import aws_iam as iam

    stack = new_stack()
    role = iam.Role.from_role_arn(stack, "Mine", f"arn:aws:iam::{ACCOUNT}:role/mine", mutable=False)
    Pipeline(
        stack,
        "Training",
        definition=_capped_pipeline(),
        pipeline_name="churn",
        role=role,
        allowed_instance_types=CAP,
    )
    _, annotations = synthesized(stack)
    found = annotations.find_warning("*", Match.string_like_regexp(".*immutable-role.*"))
    texts = [
        str(entry.entry.data) for entry in found if "role was imported" in str(entry.entry.data)
    ]
    assert len(texts) == 1
    assert (
        "That policy also holds the DenyOtherInstanceTypes statement, which enforces "
        "allowed_instance_types: unless that policy is attached, an execution may start any "
        "instance type"
    ) in texts[0]
