"""SealStep in the CDK: the sealing function, its grants, and the bucket policy that seals."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Annotations as CdkAnnotations
from aws_cdk.assertions import Match, Template

from cdk_sagemaker_pipelines.cdk import ArtifactStore, Pipeline, SealedRetention
from cdk_sagemaker_pipelines.definition import (
    Code,
    Image,
    ParameterString,
    PipelineDefinition,
    RegisterModel,
    SealStep,
    TrainingStep,
)
from cdk_sagemaker_pipelines.local.assembly import load_assembly
from cdk_sagemaker_pipelines.local.iam import RolePolicies, Statement, evaluate
from tests.cdk.conftest import new_app
from tests.cdk.helpers import ACCOUNT, REGION, TRAIN, logical_id, pipeline_under_nag, resource

NAME = "sealed"


def sealed_definition(*, seal: bool = True) -> PipelineDefinition:
    train = TrainingStep(name="Train", image=Image.sklearn("1.2-1"), code=Code.from_asset(TRAIN))
    model = train.properties.ModelArtifacts.S3ModelArtifacts
    steps: list[Any] = [train]
    if seal:
        sealing = SealStep(name="Seal", artifacts={"model": model})
        model = sealing.sealed("model")
        steps.append(sealing)
    return PipelineDefinition(steps=[*steps, *registering(model).steps])


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
        # The store-wide deny (sealed/*) comes first; the pipeline's own denies it too.
        assert "OnlySealFunctionsWriteSealed" in decision.reason


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


def test_an_adopted_store_whose_bucket_is_of_another_stack_is_refused_by_name() -> None:
    # The bucket's policy, in the bucket's stack, would name the seal role of the pipeline's
    # stack, which depends on the bucket's: a DependencyCycle naming no prop, before this.
    from aws_cdk import aws_kms as kms
    from aws_cdk import aws_s3 as s3

    app = new_app()
    env = cdk.Environment(account=ACCOUNT, region=REGION)
    data = cdk.Stack(app, "Data", env=env)
    key = kms.Key(data, "Key")
    bucket = s3.Bucket(data, "Bucket", encryption_key=key)
    training = cdk.Stack(app, "Training", env=env)
    store = ArtifactStore.from_existing(training, "Store", bucket=bucket, key=key)
    with pytest.raises(Exception, match="a SealStep needs the pipeline in the stack of its"):
        Pipeline(
            training,
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


# A key each seal role may write once: its own pipeline's, the other's, and no pipeline's.
OWN_SEALED = f"{BUCKET}/sealed/{NAME}/exec1/Seal/model/model.tar.gz"
OTHER_SEALED = f"{BUCKET}/sealed/other/exec1/Seal/model/model.tar.gz"
UNUSED_SEALED = f"{BUCKET}/sealed/no-such-pipeline/exec1/Seal/model/model.tar.gz"


@pytest.fixture(scope="module")
def two_pipelines_sharing_a_store() -> Any:
    """The loaded assembly of two sealed pipelines of one store, synthesized once."""
    app = new_app()
    stack = cdk.Stack(app, "Test", env=cdk.Environment(account=ACCOUNT, region=REGION))
    store = ArtifactStore(stack, "Store")
    for construct_id, name in (("Training", NAME), ("Other", "other")):
        Pipeline(
            stack,
            construct_id,
            definition=sealed_definition(),
            pipeline_name=name,
            artifact_store=store,
        )
    return load_assembly(app.synth().directory, NAME)


def test_only_the_stores_seal_roles_write_anywhere_under_sealed(
    two_pipelines_sharing_a_store: Any,
) -> None:
    loaded = two_pipelines_sharing_a_store
    policy = bucket_policy(loaded)
    known = ("s3:if-none-match",)
    ours = role(loaded, "Test/Training/SealFunction/Role")
    theirs = role(loaded, "Test/Other/SealFunction/Role")
    own, other, unused = OWN_SEALED, OTHER_SEALED, UNUSED_SEALED
    # Each seal role writes its own pipeline's prefix, and nowhere else under sealed/.
    assert evaluate(ours, "s3:PutObject", own, WRITE_ONCE, known, policy).allowed
    assert evaluate(theirs, "s3:PutObject", other, WRITE_ONCE, known, policy).allowed
    # The bucket policy keeps each off the other's prefix (its identity policy too).
    for seal, key in ((ours, other), (theirs, own)):
        decision = evaluate(seal, "s3:PutObject", key, WRITE_ONCE, known, policy)
        assert not decision.allowed
        assert "OnlyTheSealFunctionWritesSealed" in decision.reason
    for seal in (ours, theirs):
        assert not evaluate(seal, "s3:PutObject", unused, WRITE_ONCE, known, policy).allowed
    # Step roles, and an unrelated principal, each given s3:* on everything (as an
    # administrator is): the store-wide deny refuses them anywhere under sealed/.
    admins = [
        RolePolicies(seal.arn, seal.name, (Statement("Allow", ("s3:*",), ("*",)),))
        for seal in (
            role(loaded, "Test/Training/StepRole"),
            role(loaded, "Test/Other/StepRole"),
            RolePolicies(f"arn:aws:iam::{ACCOUNT}:role/Admin", "Admin", ()),
        )
    ]
    for principal in admins:
        for key in (own, other, unused):
            decision = evaluate(principal, "s3:PutObject", key, WRITE_ONCE, known, policy)
            assert not decision.allowed, (principal.name, key)
            assert "OnlySealFunctionsWriteSealed" in decision.reason
        # Elsewhere in the bucket, the deny changes nothing.
        outside = f"{BUCKET}/models/{NAME}/Train/exec1/model.tar.gz"
        assert evaluate(principal, "s3:PutObject", outside, WRITE_ONCE, known, policy).allowed


def test_no_replication_role_writes_under_sealed(two_pipelines_sharing_a_store: Any) -> None:
    # S3 replication writes a replica with the replication role's s3:ReplicateObject (and
    # delete markers with s3:ReplicateDelete), not s3:PutObject: a role of the account
    # named by another bucket's replication rule would otherwise replace a sealed key.
    loaded = two_pipelines_sharing_a_store
    policy = bucket_policy(loaded)
    replicating = RolePolicies(
        f"arn:aws:iam::{ACCOUNT}:role/Replication",
        "Replication",
        (Statement("Allow", ("s3:Replicate*",), ("*",)),),
    )
    for action in ("s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"):
        for key in (OWN_SEALED, OTHER_SEALED, UNUSED_SEALED):
            decision = evaluate(replicating, action, key, {}, policy=policy)
            assert not decision.allowed, (action, key)
            assert "OnlySealFunctionsWriteSealed" in decision.reason
        # Elsewhere in the bucket, the deny changes nothing.
        outside = f"{BUCKET}/models/{NAME}/Train/exec1/model.tar.gz"
        assert evaluate(replicating, action, outside, {}, policy=policy).allowed


def test_no_seal_role_replaces_a_key_anywhere_under_sealed(
    two_pipelines_sharing_a_store: Any,
) -> None:
    # SealedKeysAreWrittenOnce is store-wide: not only under one pipeline's own prefix, but
    # under a second pipeline's and under sealed/<unused>/ too, a replace (PutObject
    # without If-None-Match) is refused, even to a seal role whose identity policy were
    # given s3:* on everything (the bucket policy alone then stands between).
    loaded = two_pipelines_sharing_a_store
    policy = bucket_policy(loaded)
    known = ("s3:if-none-match",)
    ours = role(loaded, "Test/Training/SealFunction/Role")
    theirs = role(loaded, "Test/Other/SealFunction/Role")
    own, other, unused = OWN_SEALED, OTHER_SEALED, UNUSED_SEALED
    # The second pipeline's seal role, under its own prefix: written once, never replaced.
    assert evaluate(theirs, "s3:PutObject", other, WRITE_ONCE, known, policy).allowed
    replace = evaluate(theirs, "s3:PutObject", other, NO_CONDITION, known, policy)
    assert not replace.allowed
    assert "SealedKeysAreWrittenOnce" in replace.reason
    widened = [
        RolePolicies(seal.arn, seal.name, (Statement("Allow", ("s3:*",), ("*",)),))
        for seal in (ours, theirs)
    ]
    for seal in widened:
        # Under no pipeline's prefix, no per-pipeline deny applies: the store-wide one does.
        replace = evaluate(seal, "s3:PutObject", unused, NO_CONDITION, known, policy)
        assert not replace.allowed, seal.name
        assert "SealedKeysAreWrittenOnce" in replace.reason
    # Seal role A can't write B's prefix (nor B A's), even widened: not once, nor a replace.
    for seal, key in ((widened[0], other), (widened[1], own)):
        for context in (WRITE_ONCE, NO_CONDITION):
            decision = evaluate(seal, "s3:PutObject", key, context, known, policy)
            assert not decision.allowed, (seal.name, key, context)
        decision = evaluate(seal, "s3:PutObject", key, WRITE_ONCE, known, policy)
        assert "OnlyTheSealFunctionWritesSealed" in decision.reason


def registering(model_data: Any, parameters: list[Any] | None = None) -> PipelineDefinition:
    register = RegisterModel(
        name="Register",
        model_package_group_name="churn",
        image=Image.sklearn("1.2-1", scope="inference"),
        model_data=model_data,
        content_types=["text/csv"],
        response_types=["text/csv"],
        inference_instances=["ml.m5.large"],
        transform_instances=["ml.m5.large"],
    )
    return PipelineDefinition(parameters=parameters or [], steps=[register])


def writable_warnings(uri: str, *, as_parameter: bool = False) -> list[str]:
    """The registered-artifact-writable warnings of a pipeline registering ``uri``.

    ``uri`` may name ``{bucket}``, the store's bucket name (a token); ``as_parameter``
    registers a parameter whose default it is instead.
    """
    app = new_app()
    stack = cdk.Stack(app, "Test", env=cdk.Environment(account=ACCOUNT, region=REGION))
    store = ArtifactStore(stack, "Store")
    uri = uri.format(bucket=store.bucket.bucket_name)
    parameter = ParameterString(name="ModelUrl", default_value=uri)
    definition = registering(parameter, [parameter]) if as_parameter else registering(uri)
    Pipeline(stack, "Training", definition=definition, pipeline_name=NAME, artifact_store=store)
    found = CdkAnnotations.from_stack(stack).find_warning("*", Match.string_like_regexp(WARNING))
    return [str(entry.entry.data) for entry in found]


def test_warns_for_a_literal_uri_under_the_pipelines_prefixes() -> None:
    for prefix in ("models", "executions"):
        warnings = writable_warnings(f"s3://{{bucket}}/{prefix}/{NAME}/old/model.tar.gz")
        assert len(warnings) == 1, prefix
        assert "InferenceSpecification.Containers[0].ModelDataUrl ('s3://" in warnings[0]
        assert f"/{prefix}/{NAME}/old/model.tar.gz')" in warnings[0]


def test_warns_for_a_parameter_whose_default_a_role_writes() -> None:
    warnings = writable_warnings(f"s3://{{bucket}}/models/{NAME}/m.tgz", as_parameter=True)
    assert len(warnings) == 1
    assert "ModelDataUrl ('Parameters.ModelUrl')" in warnings[0]


@pytest.mark.parametrize(
    "model_data",
    [
        f"s3://{{bucket}}/sealed/{NAME}/exec1/Seal/model/model.tar.gz",  # written once
        "s3://someone-elses-bucket/models/churn/model.tar.gz",  # no role of it writes there
        "s3://{bucket}/models/another-pipeline/model.tar.gz",  # not this pipeline's prefix
    ],
)
def test_no_warning_for_a_literal_uri_no_role_writes(model_data: str) -> None:
    assert writable_warnings(model_data) == []


def test_no_warning_for_a_parameter_whose_default_no_role_writes() -> None:
    assert writable_warnings("s3://elsewhere/models/m.tgz", as_parameter=True) == []


def test_a_timed_out_seals_unfinished_uploads_are_aborted(synthesized: Any) -> None:
    # The store's clean-up rule has no prefix: it aborts sealed/'s unfinished multipart
    # copies too (a seal timed out mid-copy), whose parts S3 bills until then.
    _, template, _ = synthesized
    buckets = template.find_resources("AWS::S3::Bucket")
    rules = [
        rule
        for bucket in buckets.values()
        for rule in bucket["Properties"].get("LifecycleConfiguration", {}).get("Rules", [])
        if rule.get("Id") == "CleanUpVersionsAndUploads"
    ]
    assert rules
    for rule in rules:
        assert "Prefix" not in rule
        assert "TagFilters" not in rule
        assert rule["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 7}


def log_group_removal(template: Template, pipeline: Pipeline) -> tuple[str, str]:
    """The DeletionPolicy and UpdateReplacePolicy of ``pipeline``'s seal function's logs."""
    assert pipeline._seal is not None
    found = resource(template, logical_id(pipeline._seal.logs))
    return found["DeletionPolicy"], found["UpdateReplacePolicy"]


def test_the_seal_functions_logs_are_kept_as_long_as_the_store(synthesized: Any) -> None:
    # What was sealed and when, read in an audit beside the sealed copies: a retained store
    # (the default) keeps its seal functions' logs too, and the key that encrypts them; not
    # when the deploy creating them fails (left behind, the group's name fails the retry).
    pipeline, template, _ = synthesized
    assert log_group_removal(template, pipeline) == ("RetainExceptOnCreate", "Retain")


def test_the_seal_functions_logs_go_with_a_destroyed_store_and_stay_with_an_adopted_one() -> None:
    from aws_cdk import aws_kms as kms
    from aws_cdk import aws_s3 as s3

    app = new_app()
    stack = cdk.Stack(app, "Test", env=cdk.Environment(account=ACCOUNT, region=REGION))
    destroyed = Pipeline(
        stack,
        "Destroyed",
        definition=sealed_definition(),
        pipeline_name="destroyed",
        artifact_store=ArtifactStore(stack, "Store", removal_policy=cdk.RemovalPolicy.DESTROY),
    )
    # An adopted bucket and key are their owner's, kept beyond this app: so are its records.
    key = kms.Key(stack, "PlatformKey")
    adopted_store = ArtifactStore.from_existing(
        stack, "Adopted", bucket=s3.Bucket(stack, "PlatformBucket", encryption_key=key), key=key
    )
    adopted = Pipeline(
        stack,
        "OnAdopted",
        definition=sealed_definition(),
        pipeline_name="adopted",
        artifact_store=adopted_store,
    )
    template = Template.from_stack(stack)
    assert log_group_removal(template, destroyed) == ("Delete", "Delete")
    assert log_group_removal(template, adopted) == ("RetainExceptOnCreate", "Retain")


# -- sealed_retention: S3 Object Lock on the sealed copies ---------------------------------

RETENTION_WARNING = "cdk-sagemaker-pipelines:sealed-retention-new-bucket"


@pytest.fixture(scope="module")
def locked() -> tuple[Pipeline, Template, Any]:
    # Under cdk-nag's packs: Object Lock and the function's new statement are nag-clean.
    return pipeline_under_nag(
        sealed_definition(),
        NAME,
        store_props={"sealed_retention": SealedRetention.compliance(cdk.Duration.days(3650))},
    )


def test_sealed_retention_enables_object_lock_on_the_artifact_bucket_only(locked: Any) -> None:
    pipeline, template, _ = locked
    store = pipeline.artifact_store
    artifacts = resource(template, logical_id(store.bucket))["Properties"]
    assert artifacts["ObjectLockEnabled"] is True
    # No default retention: executions/ and models/ stay unlocked, expired as before.
    assert "ObjectLockConfiguration" not in artifacts
    # Object Lock needs versioning, which the store's buckets always have.
    assert artifacts["VersioningConfiguration"] == {"Status": "Enabled"}
    rules = {rule["Id"] for rule in artifacts["LifecycleConfiguration"]["Rules"]}
    assert rules == {"CleanUpVersionsAndUploads", "ExpireExecutionOutputs", "ExpireDataCapture"}
    # S3 delivers no access logs to a bucket with Object Lock: the log bucket has none.
    logs = resource(template, logical_id(store.access_logs_bucket))["Properties"]
    assert "ObjectLockEnabled" not in logs


def test_without_sealed_retention_no_bucket_says_object_lock(synthesized: Any) -> None:
    pipeline, template, _ = synthesized
    assert pipeline.artifact_store.sealed_retention is None
    for bucket in template.find_resources("AWS::S3::Bucket").values():
        assert "ObjectLockEnabled" not in bucket["Properties"]
    function = resource(template, logical_id(pipeline.seal_function))
    assert set(function["Properties"]["Environment"]["Variables"]) == {
        "SEALED_BUCKET",
        "SEALED_PREFIX",
    }
    CdkAnnotations.from_stack(cdk.Stack.of(pipeline)).has_no_warning(
        "*", Match.string_like_regexp(RETENTION_WARNING)
    )


def test_the_seal_function_locks_each_copy_it_writes(locked: Any) -> None:
    pipeline, template, _ = locked
    function = resource(template, logical_id(pipeline.seal_function))
    variables = function["Properties"]["Environment"]["Variables"]
    assert variables["SEALED_RETENTION_MODE"] == "COMPLIANCE"
    assert variables["SEALED_RETENTION_DAYS"] == "3650"
    assert pipeline._seal is not None
    statements = resource(template, logical_id(pipeline._seal.policy))["Properties"][
        "PolicyDocument"
    ]["Statement"]
    lock = next(s for s in statements if s.get("Sid") == "LockSealedCopies")
    # An upload naming an Object Lock mode and date needs s3:PutObjectRetention too.
    assert lock["Action"] == "s3:PutObjectRetention"
    assert lock["Resource"] == {
        "Fn::Join": [
            "",
            [
                {"Fn::GetAtt": [logical_id(pipeline.artifact_store.bucket), "Arn"]},
                f"/sealed/{NAME}/*",
            ],
        ]
    }


def test_sealed_retention_warns_that_a_deployed_bucket_would_be_replaced(locked: Any) -> None:
    _, _, annotations = locked
    warnings = annotations.find_warning("*", Match.string_like_regexp(RETENTION_WARNING))
    assert len(warnings) == 1
    text = str(warnings[0].entry.data)
    assert "COMPLIANCE, 3650 days" in text
    assert "replaces the bucket with a new, empty one" in text


def test_the_seal_function_lists_exactly_its_manifest_sources_and_reads_none() -> None:
    data = ParameterString(name="InputData", default_value="s3://data-bucket/train/v1/")
    seal = SealStep(name="Seal", manifests={"training-data": data})
    app = new_app()
    stack = cdk.Stack(app, "Test", env=cdk.Environment(account=ACCOUNT, region=REGION))
    Pipeline(
        stack,
        "Training",
        definition=PipelineDefinition(parameters=[data], steps=[seal]),
        pipeline_name=NAME,
        artifact_store=ArtifactStore(stack, "Store"),
        parameter_locations={"InputData": "s3://data-bucket/train/*"},
    )
    loaded = load_assembly(app.synth().directory, NAME)
    function = role(loaded, "Test/Training/SealFunction/Role")
    bucket = "arn:aws:s3:::data-bucket"
    prefix = {"s3:prefix": "train/v2/"}
    assert evaluate(function, "s3:ListBucketVersions", bucket, prefix).allowed
    assert not evaluate(function, "s3:ListBucketVersions", bucket, {"s3:prefix": "raw/"}).allowed
    # A manifest reads no object: nor listing without versions (ListObjectsV2).
    assert not evaluate(function, "s3:GetObject", f"{bucket}/train/v2/a.csv", {}).allowed
    assert not evaluate(function, "s3:ListBucket", bucket, prefix).allowed
    # It writes the manifest under its pipeline's sealed prefix, once.
    manifest = f"{BUCKET}/sealed/{NAME}/exec1/Seal/training-data.manifest.jsonl"
    known = ("s3:if-none-match",)
    assert evaluate(
        function, "s3:PutObject", manifest, WRITE_ONCE, known, bucket_policy(loaded)
    ).allowed
