"""SealStep in the CDK: the sealing function, its grants, and the bucket policy that seals."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Annotations as CdkAnnotations
from aws_cdk.assertions import Match, Template

from cdk_sagemaker_pipelines.cdk import ArtifactStore, Pipeline
from cdk_sagemaker_pipelines.definition import (
    Code,
    Image,
    PipelineDefinition,
    RegisterModel,
    SealStep,
    TrainingStep,
)
from cdk_sagemaker_pipelines.local.assembly import load_assembly
from cdk_sagemaker_pipelines.local.iam import evaluate
from tests.cdk.conftest import new_app
from tests.cdk.helpers import ACCOUNT, REGION, TRAIN, pipeline_under_nag

NAME = "sealed"


def sealed_definition(*, seal: bool = True) -> PipelineDefinition:
    train = TrainingStep(name="Train", image=Image.sklearn("1.2-1"), code=Code.from_asset(TRAIN))
    model = train.properties.ModelArtifacts.S3ModelArtifacts
    steps: list[Any] = [train]
    if seal:
        sealing = SealStep(name="Seal", artifacts={"model": model})
        model = sealing.sealed("model")
        steps.append(sealing)
    register = RegisterModel(
        name="Register",
        model_package_group_name="churn",
        image=Image.sklearn("1.2-1", scope="inference"),
        model_data=model,
        content_types=["text/csv"],
        response_types=["text/csv"],
        inference_instances=["ml.m5.large"],
        transform_instances=["ml.m5.large"],
    )
    return PipelineDefinition(steps=[*steps, register])


@pytest.fixture(scope="module")
def synthesized() -> tuple[Pipeline, Template, Any]:
    app = new_app()
    stack = cdk.Stack(app, "Test", env=cdk.Environment(account=ACCOUNT, region=REGION))
    store = ArtifactStore(stack, "Store")
    pipeline = Pipeline(
        stack,
        "Training",
        definition=sealed_definition(),
        pipeline_name=NAME,
        artifact_store=store,
        dedicated_step_roles="*",
    )
    assembly = app.synth()
    return pipeline, Template.from_stack(stack), load_assembly(assembly.directory, NAME)


BUCKET = "arn:aws:s3:::test-store-bucket"
SEALED = f"{BUCKET}/sealed/{NAME}/exec1/Seal/model/model.tar.gz"
WRITE_ONCE = {"s3:if-none-match": "*", "s3:objectcreationoperation": "true"}
NO_CONDITION = {"s3:objectcreationoperation": "true"}


def role(loaded: Any, path: str) -> Any:
    return next(r for r in loaded.roles.roles.values() if f"({path})" in r.name)


def bucket_policy(loaded: Any) -> Any:
    return loaded.roles.bucket_policies["test-store-bucket"]


def test_the_training_role_can_no_longer_write_sealed_keys(synthesized: Any) -> None:
    _, _, loaded = synthesized
    train = role(loaded, "Test/Training/StepRole-Train")
    policy = bucket_policy(loaded)
    # It still writes its own output (the next execution's training code does)…
    output = f"{BUCKET}/models/{NAME}/Train/exec2/model/output/model.tar.gz"
    assert evaluate(train, "s3:PutObject", output, NO_CONDITION, policy=policy).allowed
    # …but no sealed copy, not even with the seal's own header, nor delete one.
    for action in ("s3:PutObject", "s3:DeleteObject", "s3:PutObjectAcl"):
        decision = evaluate(train, action, SEALED, WRITE_ONCE, policy=policy)
        assert not decision.allowed
        assert "OnlyTheSealFunctionWritesSealed" in decision.reason


def test_the_seal_function_writes_its_prefix_once_and_reads_exactly_its_inputs(
    synthesized: Any,
) -> None:
    _, _, loaded = synthesized
    seal = role(loaded, "Test/Training/SealFunction/Role")
    policy = bucket_policy(loaded)
    known = ("s3:if-none-match",)
    assert evaluate(seal, "s3:PutObject", SEALED, WRITE_ONCE, known, policy).allowed
    # Without If-None-Match a key could be replaced: denied.
    replace = evaluate(seal, "s3:PutObject", SEALED, NO_CONDITION, known, policy)
    assert not replace.allowed
    assert "SealedKeysAreWrittenOnce" in replace.reason
    # The multipart steps take no conditional header (s3:ObjectCreationOperation false).
    part = {"s3:objectcreationoperation": "false"}
    assert evaluate(seal, "s3:PutObject", SEALED, part, known, policy).allowed
    # A retried copy reads the key an earlier attempt wrote (its source metadata).
    assert evaluate(seal, "s3:GetObject", SEALED, {}, policy=policy).allowed
    other = f"{BUCKET}/sealed/another-pipeline/exec1/Seal/model/model.tar.gz"
    assert not evaluate(seal, "s3:PutObject", other, WRITE_ONCE, known, policy).allowed
    model = f"{BUCKET}/models/{NAME}/Train/exec1/model/output/model.tar.gz"
    assert evaluate(seal, "s3:GetObject", model, {}, policy=policy).allowed
    data = f"{BUCKET}/executions/{NAME}/Prep/exec1/train/data.csv"
    assert not evaluate(seal, "s3:GetObject", data, {}, policy=policy).allowed


def test_the_pipeline_role_invokes_the_seal_function(synthesized: Any) -> None:
    pipeline, _, loaded = synthesized
    arn = loaded.functions["Test/Training/SealFunction/Function"]
    pipeline_role = loaded.roles.roles[loaded.roles.pipeline_role]
    assert evaluate(pipeline_role, "lambda:InvokeFunction", arn, {}).allowed
    seal = next(s for s in loaded.definition["Steps"] if s["Name"] == "Seal")
    assert seal["FunctionArn"] == arn
    assert pipeline.seal_function is not None


def test_the_function_runs_its_own_code_on_python(synthesized: Any) -> None:
    _, template, loaded = synthesized
    handler = loaded.resources.lambdas[loaded.functions["Test/Training/SealFunction/Function"]]
    assert handler.handler == "index.handler"
    assert (handler.code / "index.py").read_text().startswith('"""The sealing function')
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Handler": "index.handler",
            "Environment": {
                "Variables": {
                    "SEALED_BUCKET": Match.any_value(),
                    "SEALED_PREFIX": f"sealed/{NAME}/",
                }
            },
        },
    )


def test_cdk_nag_packs_pass_with_a_seal_step() -> None:
    # pipeline_under_nag fails the synthesis on any unacknowledged finding.
    pipeline, _, _ = pipeline_under_nag(sealed_definition(), NAME)
    assert pipeline.seal_function is not None


def test_no_seal_function_without_a_seal_step() -> None:
    app = new_app()
    stack = cdk.Stack(app, "Test", env=cdk.Environment(account=ACCOUNT, region=REGION))
    pipeline = Pipeline(
        stack,
        "Training",
        definition=sealed_definition(seal=False),
        pipeline_name=NAME,
        artifact_store=ArtifactStore(stack, "Store"),
    )
    assert pipeline.seal_function is None
    Template.from_stack(stack).resource_count_is("AWS::Lambda::Function", 0)


WARNING = "cdk-sagemaker-pipelines:registered-artifact-writable"


def test_warns_when_a_version_records_a_job_output_once_per_step() -> None:
    app = new_app()
    stack = cdk.Stack(app, "Test", env=cdk.Environment(account=ACCOUNT, region=REGION))
    Pipeline(
        stack,
        "Training",
        definition=sealed_definition(seal=False),
        pipeline_name=NAME,
        artifact_store=ArtifactStore(stack, "Store"),
    )
    warnings = CdkAnnotations.from_stack(stack).find_warning("*", Match.string_like_regexp(WARNING))
    assert len(warnings) == 1
    text = str(warnings[0].entry.data)
    assert "RegisterModel step 'Register' records InferenceSpecification.Containers[0]" in text
    assert "ModelDataUrl (Steps.Train.ModelArtifacts.S3ModelArtifacts)" in text
    assert "SealStep" in text


def test_no_warning_for_sealed_copies(synthesized: Any) -> None:
    pipeline, _, _ = synthesized
    stack = cdk.Stack.of(pipeline)
    CdkAnnotations.from_stack(stack).has_no_warning("*", Match.string_like_regexp(WARNING))


def test_a_pipeline_outside_its_stores_stack_is_refused() -> None:
    app = new_app()
    env = cdk.Environment(account=ACCOUNT, region=REGION)
    store = ArtifactStore(cdk.Stack(app, "Data", env=env), "Store")
    with pytest.raises(Exception, match="a SealStep needs the pipeline in the stack of its"):
        Pipeline(
            cdk.Stack(app, "Training", env=env),
            "Training",
            definition=sealed_definition(),
            pipeline_name=NAME,
            artifact_store=store,
        )


def test_the_pipeline_role_keeps_invoking_the_seal_function_when_its_policies_collapse(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Its statements are derived anew on the pipeline's prefixes as a whole when it needs
    # more managed policies than a role takes: the invoke grant must survive that.
    import cdk_sagemaker_pipelines.cdk.pipeline as pipeline_module
    from example_project.pipeline import build_pipeline

    monkeypatch.setattr(pipeline_module, "MAX_MANAGED_POLICIES_PER_ROLE", 0)
    app = new_app()
    stack = cdk.Stack(app, "Test", env=cdk.Environment(account=ACCOUNT, region=REGION))
    store = ArtifactStore(stack, "Store")
    pipeline = Pipeline(
        stack,
        "Training",
        definition=build_pipeline(data_bucket="data", model_package_group_name="churn"),
        pipeline_name=NAME,
        artifact_store=store,
    )
    warnings = [
        str(entry.entry.data)
        for entry in CdkAnnotations.from_stack(stack).find_warning(
            "*", Match.string_like_regexp("permissions-collapsed")
        )
    ]
    assert any("derived for role" in warning for warning in warnings)
    loaded: Any = load_assembly(app.synth().directory, NAME)
    arn = loaded.functions["Test/Training/SealFunction/Function"]
    pipeline_role = loaded.roles.roles[loaded.roles.pipeline_role]
    assert evaluate(pipeline_role, "lambda:InvokeFunction", arn, {}).allowed
    assert pipeline.seal_function is not None
