"""ModelStep(model_package_name=) named literally: the pipeline role gets those versions only.

test_batch_scoring.py holds the version known at run time (any version of the account and
region); here a version's ARN (of another account too) and an unversioned package's name
are granted alone, with no statement on any version.
"""

from __future__ import annotations

from aws_cdk.assertions import Template

from cdk_sagemaker_pipelines.cdk import Pipeline
from cdk_sagemaker_pipelines.definition import ModelStep, PipelineDefinition
from tests.cdk.conftest import new_stack
from tests.cdk.helpers import statements

OTHER_ACCOUNT_VERSION = "arn:aws:sagemaker:us-east-1:444455556666:model-package/churn/7"


def test_literal_versions_are_granted_alone() -> None:
    stack = new_stack()
    pipeline = Pipeline(
        stack,
        "Pipeline",
        definition=PipelineDefinition(
            steps=[
                ModelStep(name="Shared", model_package_name=OTHER_ACCOUNT_VERSION),
                ModelStep(name="Unversioned", model_package_name="scoring-package"),
            ]
        ),
    )
    policy = statements(Template.from_stack(stack), pipeline.role_policy)

    named = policy["CreateModelsFromModelVersions"]
    assert named["Action"] == ["sagemaker:CreateModel", "sagemaker:DescribeModelPackage"]
    assert sorted(named["Resource"]) == [
        "arn:aws:sagemaker:us-east-1:111122223333:model-package/scoring-package",
        OTHER_ACCOUNT_VERSION,
    ]
    assert "Condition" not in named
    assert "CreateModelsFromModelVersionsOfAnyGroup" not in policy
