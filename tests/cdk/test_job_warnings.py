"""The Pipeline raises the definition's job traps (definition/_job_warnings.py) at synth."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk.assertions import Annotations, Match

from cdk_sagemaker_pipelines.cdk import Pipeline
from cdk_sagemaker_pipelines.definition import (
    CacheConfig,
    Code,
    ConditionGreaterThanOrEqualTo,
    ConditionStep,
    ExecutionVariables,
    FailStep,
    Image,
    Join,
    LambdaStep,
    ParameterInteger,
    PipelineDefinition,
    RegisterModel,
    SealStep,
    TrainingStep,
)
from tests.cdk.conftest import new_stack

IDS = (
    "shared-checkpoint-location",
    "warm-pool-cost",
    "uncacheable-step",
    "image-processor-mismatch",
)


def warned(stack: cdk.Stack) -> dict[str, list[str]]:
    found = Annotations.from_stack(stack).find_warning("*", Match.any_value())
    texts = [str(entry.entry.data) for entry in found]
    return {
        kind: [text for text in texts if f"[ack: cdk-sagemaker-pipelines:{kind}]" in text]
        for kind in IDS
    }


def test_each_trap_is_warned_once_per_step_and_a_clean_step_is_not() -> None:
    code = Code.from_s3("s3://c/train.tar.gz", entry_point="train.py")
    trapped = TrainingStep(
        name="FineTune",
        image=Image.pytorch("2.1", processor="cpu", py_version="py310"),
        code=code,
        instance_type="ml.g5.2xlarge",
        checkpoint_s3_uri="s3://c/checkpoints",
        keep_alive_period_in_seconds=1800,
        environment={"RUN": ExecutionVariables.PIPELINE_EXECUTION_ID},
        cache_config=CacheConfig(),
    )
    clean = TrainingStep(
        name="Clean",
        image=Image.pytorch("2.1", processor="gpu", py_version="py310"),
        code=code,
        instance_type="ml.g5.2xlarge",
        checkpoint_s3_uri=Join(
            on="/", values=["s3://c/checkpoints", ExecutionVariables.PIPELINE_EXECUTION_ID]
        ),
    )
    stack = new_stack()
    Pipeline(stack, "Training", definition=PipelineDefinition(steps=[trapped, clean]))
    found = warned(stack)
    assert {kind: len(texts) for kind, texts in found.items()} == dict.fromkeys(IDS, 1)
    for texts in found.values():
        assert "Step 'FineTune'" in texts[0]
    assert (
        "keeps 1 × ml.g5.2xlarge in a managed warm pool for 1800 s" in (found["warm-pool-cost"][0])
    )


def test_an_acknowledged_shared_checkpoint_is_not_warned() -> None:
    # The opt-out of resuming across executions on purpose: CDK's acknowledgement.
    stack = new_stack()
    pipeline = Pipeline(
        stack,
        "Training",
        definition=PipelineDefinition(
            steps=[
                TrainingStep(
                    name="Resume",
                    image=Image.sklearn("1.2-1"),
                    code=Code.from_s3("s3://c/train.tar.gz", entry_point="train.py"),
                    checkpoint_s3_uri="s3://c/checkpoints",
                )
            ]
        ),
    )
    cdk.Annotations.of(pipeline).acknowledge_warning(
        "cdk-sagemaker-pipelines:shared-checkpoint-location", "resumes across runs on purpose"
    )
    assert warned(stack)["shared-checkpoint-location"] == []


def test_a_cached_lambda_a_misplaced_seal_and_a_fail_step_without_message_are_warned() -> None:
    notify = LambdaStep(
        name="Notify",
        function_arn="arn:aws:lambda:us-east-1:111122223333:function:notify",
        cache_config=CacheConfig(),
    )
    seal = SealStep(name="Seal", artifacts={"model": "s3://c/models/model.tar.gz"})
    score = ParameterInteger(name="Score", default_value=1)
    register = RegisterModel(
        name="Register",
        model_package_group_name="churn",
        image=Image.sklearn("1.2-1", scope="inference"),
        model_data=seal.sealed("model"),
        content_types=["text/csv"],
        response_types=["text/csv"],
        inference_instances=["ml.m5.large"],
        transform_instances=["ml.m5.large"],
    )
    gate = ConditionStep(
        name="Gate",
        conditions=[ConditionGreaterThanOrEqualTo(left=score, right=1)],
        if_steps=[register],
        else_steps=[FailStep(name="Stop")],
    )
    stack = new_stack()
    Pipeline(
        stack,
        "Sealing",
        definition=PipelineDefinition(parameters=[score], steps=[notify, seal, gate]),
    )
    texts = [
        str(entry.entry.data)
        for entry in Annotations.from_stack(stack).find_warning("*", Match.any_value())
    ]
    cached = [t for t in texts if "[ack: cdk-sagemaker-pipelines:cache-ignored]" in t]
    sealed = [t for t in texts if "[ack: cdk-sagemaker-pipelines:seal-outside-branch]" in t]
    assert len(cached) == 1
    assert "Step 'Notify'" in cached[0]
    assert len(sealed) == 1
    assert "SealStep 'Seal'" in sealed[0]
    silent = [t for t in texts if "[ack: cdk-sagemaker-pipelines:fail-step-without-message]" in t]
    assert len(silent) == 1
    assert "Fail step 'Stop' has no ErrorMessage" in silent[0]
