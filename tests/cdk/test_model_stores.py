"""Pipeline(model_stores=): a Model step of a version shared from another account's registry.

The model's role (the step role, or the step's dedicated role) reads models/ and sealed/ of
that account's store and decrypts with its key through S3 only; the pipeline role creates
models of that account's versions known at run time. Across accounts both sides must allow
(evaluated with local/iam.py): dev's policies written by ModelRegistry.share_with_account.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Annotations as CdkAnnotations
from aws_cdk.assertions import Match, Template

from cdk_sagemaker_pipelines.cdk import ArtifactStore, ModelRegistry, Pipeline
from cdk_sagemaker_pipelines.definition import (
    ModelStep,
    ParameterString,
    PipelineDefinition,
    PipelineValidationError,
)
from cdk_sagemaker_pipelines.local.iam import ResourcePolicy, RolePolicies, Statement, evaluate
from tests.cdk.conftest import new_app
from tests.cdk.helpers import resolved_intrinsics, statements
from tests.cdk.test_policies import attached

DEV, PROD, THIRD = "111122223333", "444455556666", "777788889999"
DEV_BUCKET = "dev-ml-artifacts"
DEV_KEY = f"arn:aws:kms:us-east-1:{DEV}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
VERSION = f"arn:aws:sagemaker:us-east-1:{DEV}:model-package/churn/7"


def _stack(app: cdk.App, name: str, account: str) -> cdk.Stack:
    return cdk.Stack(app, name, env=cdk.Environment(account=account, region="us-east-1"))


def _dev_store(scope: cdk.Stack) -> ArtifactStore:
    """Dev's store, adopted in prod's stack as the docs show."""
    return ArtifactStore.from_existing(
        scope,
        "DevArtifacts",
        bucket=s3.Bucket.from_bucket_name(scope, "DevBucket", DEV_BUCKET),
        key=kms.Key.from_key_arn(scope, "DevKey", DEV_KEY),
    )


def _scoring(stack: cdk.Stack, package: Any = VERSION, **props: Any) -> Pipeline:
    parameters = [package] if isinstance(package, ParameterString) else []
    return Pipeline(
        stack,
        "Scoring",
        definition=PipelineDefinition(
            parameters=parameters, steps=[ModelStep(name="Score", model_package_name=package)]
        ),
        **props,
    )


def _resolved(value: Any, attributes: dict[str, str]) -> Any:
    """``value`` with the intrinsics of the templates replaced (us-east-1)."""
    return resolved_intrinsics(value, attributes, region="us-east-1")


@pytest.mark.parametrize("dedicated", [False, True], ids=["step-role", "dedicated-role"])
def test_the_models_role_reads_and_decrypts_the_other_accounts_models(dedicated: bool) -> None:
    app = new_app()
    # Dev's side: its registry's store shares models/ with prod.
    dev = _stack(app, "Dev", DEV)
    dev_store = ArtifactStore(dev, "Artifacts")
    ModelRegistry(dev, "Registry", model_package_group_name="churn", artifact_store=dev_store)
    dev_store.share_models_with(PROD)
    # Prod's side: the scoring pipeline, given dev's store.
    prod = _stack(app, "Prod", PROD)
    pipeline = _scoring(
        prod,
        model_stores={"Score": _dev_store(prod)},
        **({"dedicated_step_roles": ["Score"]} if dedicated else {}),
    )
    role = pipeline.dedicated_roles["Score"] if dedicated else pipeline.step_role
    granted = attached(Template.from_stack(prod), role)
    assert granted["ReadModelsOfModelStores"]["Action"] == "s3:GetObject"
    assert granted["ReadModelsOfModelStores"]["Resource"] == [
        f"arn:aws:s3:::{DEV_BUCKET}/models/*",
        f"arn:aws:s3:::{DEV_BUCKET}/sealed/*",
    ]
    identity = RolePolicies(
        f"arn:aws:iam::{PROD}:role/Model",
        "prod's model role",
        tuple(Statement.from_json(_resolved(s, {})) for s in granted.values()),
    )
    dev_template = Template.from_stack(dev).to_json()["Resources"]
    bucket_id = next(
        k
        for k, v in dev_template.items()
        if v["Type"] == "AWS::S3::BucketPolicy" and "ArtifactsBucket" in k
    )
    key_id = next(k for k, v in dev_template.items() if v["Type"] == "AWS::KMS::Key")
    bucket_logical = dev_template[bucket_id]["Properties"]["Bucket"]["Ref"]
    attributes = {f"{bucket_logical}.Arn": f"arn:aws:s3:::{DEV_BUCKET}"}
    bucket_policy, key_policy = (
        ResourcePolicy(
            name,
            tuple(Statement.from_json(s) for s in _resolved(document["Statement"], attributes)),
            key=is_key,
            account=DEV,
        )
        for name, document, is_key in (
            ("dev's bucket policy", dev_template[bucket_id]["Properties"]["PolicyDocument"], False),
            ("dev's key policy", dev_template[key_id]["Properties"]["KeyPolicy"], True),
        )
    )
    model = f"arn:aws:s3:::{DEV_BUCKET}/models/pipelines-abc/Train/output/model.tar.gz"
    assert evaluate(identity, "s3:GetObject", model, {}, policy=bucket_policy).allowed
    through_s3 = {"kms:viaservice": "s3.us-east-1.amazonaws.com"}
    assert evaluate(identity, "kms:Decrypt", DEV_KEY, through_s3, policy=key_policy).allowed
    # Not outside S3, not what else dev's bucket holds.
    outside = {"kms:viaservice": "sqs.us-east-1.amazonaws.com"}
    assert not evaluate(identity, "kms:Decrypt", DEV_KEY, outside, policy=key_policy).allowed
    data = f"arn:aws:s3:::{DEV_BUCKET}/executions/x/output.csv"
    assert not evaluate(identity, "s3:GetObject", data, {}, policy=bucket_policy).allowed
    # An uncompressed model (ModelDataSource, S3Prefix) is listed first: was not granted.
    bucket_arn = f"arn:aws:s3:::{DEV_BUCKET}"
    for prefix, allowed in (("models/pipelines-abc/Train/output/model/", True), ("", False)):
        listed = evaluate(
            identity, "s3:ListBucket", bucket_arn, {"s3:prefix": prefix}, policy=bucket_policy
        )
        assert listed.allowed is allowed, prefix
    # Both sides must allow: without dev's share, prod's grant alone reads nothing.
    unshared = ResourcePolicy("dev's bucket policy", (), account=DEV)
    assert not evaluate(identity, "s3:GetObject", model, {}, policy=unshared).allowed
    unshared_key = ResourcePolicy("dev's key policy", (), key=True, account=DEV)
    assert not evaluate(identity, "kms:Decrypt", DEV_KEY, through_s3, policy=unshared_key).allowed
    # And the warning the store answers is gone.
    assert (
        CdkAnnotations.from_stack(prod).find_warning(
            "*", Match.string_like_regexp(".*model-from-model-package.*")
        )
        == []
    )


def test_without_a_store_the_role_gets_nothing_of_the_other_account() -> None:
    stack = _stack(new_app(), "Prod", PROD)
    pipeline = _scoring(stack)
    granted = attached(Template.from_stack(stack), pipeline.step_role)
    assert "ReadModelsOfModelStores" not in granted
    assert "DecryptModelsOfModelStores" not in granted


def test_a_version_known_at_run_time_may_be_any_of_the_stores_account() -> None:
    stack = _stack(new_app(), "Prod", PROD)
    version = ParameterString("ModelVersion")
    pipeline = _scoring(stack, version, model_stores={"Score": _dev_store(stack)})
    policy = statements(Template.from_stack(stack), pipeline.role_policy)
    created = policy["CreateModelsFromModelVersionsOfModelStores"]
    assert created["Action"] == ["sagemaker:CreateModel", "sagemaker:DescribeModelPackage"]
    assert _resolved(created["Resource"], {}) == (
        f"arn:aws:sagemaker:us-east-1:{DEV}:model-package/*"
    )


def test_a_literal_version_needs_no_more_of_the_pipeline_role() -> None:
    stack = _stack(new_app(), "Prod", PROD)
    pipeline = _scoring(stack, model_stores={"Score": _dev_store(stack)})
    policy = statements(Template.from_stack(stack), pipeline.role_policy)
    assert policy["CreateModelsFromModelVersions"]["Resource"] == VERSION
    assert "CreateModelsFromModelVersionsOfModelStores" not in policy


def test_a_store_of_the_pipelines_own_account_fails_naming_the_step() -> None:
    stack = _stack(new_app(), "Dev", DEV)
    with pytest.raises(
        PipelineValidationError, match=r"prop 'model_stores\['Score'\]'.*own account"
    ):
        _scoring(stack, model_stores={"Score": ArtifactStore(stack, "Store")})


def test_a_version_of_another_account_than_the_stores_fails() -> None:
    stack = _stack(new_app(), "Prod", PROD)
    third = VERSION.replace(DEV, THIRD)
    with pytest.raises(
        PipelineValidationError,
        match=rf"prop 'model_stores\['Score'\]'.*version of account {THIRD}.*of account {DEV}",
    ):
        _scoring(stack, third, model_stores={"Score": _dev_store(stack)})


def test_a_parameters_default_of_another_account_than_the_stores_fails() -> None:
    # Was: passed, the parameter not judged; a run on the defaults was denied the model.
    stack = _stack(new_app(), "Prod", PROD)
    version = ParameterString("ModelVersion", default_value=VERSION.replace(DEV, THIRD))
    with pytest.raises(
        PipelineValidationError,
        match=rf"\(the default of parameter 'ModelVersion'\) is a version of account {THIRD}",
    ):
        _scoring(stack, version, model_stores={"Score": _dev_store(stack)})


def test_a_version_of_another_region_fails() -> None:
    # Was: passed; SageMaker creates models only from versions of its own region.
    stack = _stack(new_app(), "Prod", PROD)
    with pytest.raises(
        PipelineValidationError,
        match=r"model_stores\['Score'\]'.*version of region eu-west-1, the pipeline's stack in "
        r"region us-east-1",
    ):
        _scoring(
            stack,
            VERSION.replace("us-east-1", "eu-west-1"),
            model_stores={"Score": _dev_store(stack)},
        )


def test_a_step_that_is_no_model_of_a_version_fails() -> None:
    stack = _stack(new_app(), "Prod", PROD)
    with pytest.raises(PipelineValidationError, match=r"model_stores\['Scor'\]'.*'Score'"):
        _scoring(stack, model_stores={"Scor": _dev_store(stack)})


def test_a_store_this_app_creates_in_another_account_must_be_adopted() -> None:
    app = new_app()
    dev_store = ArtifactStore(_stack(app, "Dev", DEV), "Artifacts")
    with pytest.raises(PipelineValidationError, match=r"model_stores.*from_existing"):
        _scoring(_stack(app, "Prod", PROD), model_stores={"Score": dev_store})


def test_not_a_store_fails() -> None:
    stack = _stack(new_app(), "Prod", PROD)
    with pytest.raises(
        PipelineValidationError, match=r"prop 'model_stores': entry 'Score': .*ArtifactStore"
    ):
        _scoring(stack, model_stores={"Score": DEV_BUCKET})


def test_the_warning_names_the_dedicated_role_first() -> None:
    stack = _stack(new_app(), "Prod", PROD)
    _scoring(stack, dedicated_step_roles=["Score"])
    [found] = CdkAnnotations.from_stack(stack).find_warning(
        "*", Match.string_like_regexp(".*model-from-model-package.*")
    )
    text = str(found.entry.data)
    assert "model's execution role (pipeline.dedicated_roles['Score'])" in text
    assert "grant_read_models(pipeline.dedicated_roles['Score'])" in text
    assert "pipeline.step_role" not in text
    assert "model_stores={'Score':" in text
