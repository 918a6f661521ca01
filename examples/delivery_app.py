"""CDK Pipelines delivery app: a CodePipeline in a tooling account deploys dev, then prod.

docs/cdk-pipelines.md explains it. To use it, copy this file next to ``app.py`` (as
``delivery.py``), put in your accounts, repository and connection, and run
``node_modules/.bin/cdk synth -a ".venv/bin/python delivery.py"``. cdk-nag then prints the
findings on CDK Pipelines' own resources for your accounts and region: replace
``DELIVERY_FINDINGS`` with the ids its report prints, after reviewing them.
tests/cdk/test_delivery_example.py synthesizes this app, cdk-nag packs included, and runs
cfn-lint on its stack.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, cast

HERE = Path(__file__).resolve().parent
# The project's root: this file's folder once copied next to app.py, else examples/'s parent.
ROOT = HERE if (HERE / "app.py").exists() else HERE.parent
# jsii runs on the project's Node 22, as app.py does.
from cdk_sagemaker_pipelines.jsii_node import prepare_jsii_node  # noqa: E402

prepare_jsii_node(ROOT / "node_modules" / ".bin" / "node")

import aws_cdk as cdk  # noqa: E402
from aws_cdk import pipelines  # noqa: E402
from cdk_nag import AwsSolutionsChecks, NIST80053R5Checks  # noqa: E402

from cdk_sagemaker_pipelines.cdk import FAIL_SYNTH_ON_VALIDATION_ERRORS, synth_app  # noqa: E402
from constructs import Construct  # noqa: E402
from stacks import EnvironmentConfig, MlOpsStage  # noqa: E402
from stacks.config import source_revision, with_versions  # noqa: E402

TOOLING = cdk.Environment(account="111111111111", region="eu-west-1")
# The GitHub repository the pipeline deploys from (through a CodeConnections connection).
REPOSITORY = "acme/ml-platform"
DEV = EnvironmentConfig(
    name="dev",
    account="222222222222",
    region="eu-west-1",
    retain_data=False,
)
# Prod serves the versions dev registers (and someone approves there): dev's stage shares its
# registry and models/ with prod's account. Deploy dev first: prod reads dev's group and
# bucket when it deploys. The version is committed in cdk.json's context,
# "model_package_arn:prod": "arn:…/dev-…/3", never a -c: the pipeline's Synth step (and its
# self-mutation) runs `cdk synth` with the repository's cdk.json alone, and a synth without
# the version would have CloudFormation delete prod's endpoint. serves_endpoint makes that
# synth fail instead.
PROD = EnvironmentConfig(
    name="prod",
    account="333333333333",
    region="eu-west-1",
    require_network_isolation=True,
    schedule="cron(0 6 ? * * *)",
    model_source="dev",
    serves_endpoint=True,
)
# With cdk.json's "@aws-cdk/core:enablePartitionLiterals" (as in this project, and in
# `cdk init`'s), ARNs in a stack of a known region name its partition, "aws", not a reference.
_LOGS = "arn:aws:logs:eu-west-1:111111111111:log-group:/aws/codebuild/"
_REPORTS = "arn:aws:codebuild:eu-west-1:111111111111:report-group/"
_SYNTH = "DeliveryPipelineBuildSynthCdkBuildProjectE0D2F5AB"
_SELF_MUTATION = "DeliveryUpdatePipelineSelfMutationD68CED1B"
# cdk-nag's findings on CDK Pipelines' own resources (its artifact bucket and key, and the
# wildcards of its CodeBuild and CodePipeline roles), as its report prints them for the
# accounts and region above. Review them and acknowledge your own the same way.
DELIVERY_FINDINGS = [
    "AwsSolutions-KMS5",
    "AwsSolutions-S1",
    "NIST.800.53.R5-IAMNoInlinePolicy",
    "NIST.800.53.R5-KMSBackingKeyRotationEnabled",
    "NIST.800.53.R5-S3BucketLoggingEnabled",
    "NIST.800.53.R5-S3BucketReplicationEnabled",
    "NIST.800.53.R5-S3BucketVersioningEnabled",
    *(
        f"AwsSolutions-IAM5[Action::{action}]"
        for action in (
            "kms:GenerateDataKey*",
            "kms:ReEncrypt*",
            "s3:Abort*",
            "s3:DeleteObject*",
            "s3:GetBucket*",
            "s3:GetObject*",
            "s3:List*",
        )
    ),
    *(
        f"AwsSolutions-IAM5[Resource::{resource}]"
        for resource in (
            "*",
            "<DeliveryPipelineArtifactsBucket36390225.Arn>/*",
            "arn:*:iam::111111111111:role/*",
            f"{_LOGS}*",
            f"{_LOGS}<{_SYNTH}>:*",
            f"{_LOGS}<{_SELF_MUTATION}>:*",
            f"{_REPORTS}*",
            f"{_REPORTS}<{_SYNTH}>-*",
            f"{_REPORTS}<{_SELF_MUTATION}>-*",
        )
    ),
]


class DeliveryStack(cdk.Stack):
    """The delivery pipeline, with one ``MlOpsStage`` per environment.

    Example::

        DeliveryStack(app, "Delivery", env=TOOLING)
    """

    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        source = pipelines.CodePipelineSource.connection(
            REPOSITORY,
            "main",
            connection_arn="arn:aws:codeconnections:eu-west-1:111111111111:connection/abc",
        )
        pipeline = pipelines.CodePipeline(
            self,
            "Delivery",
            cross_account_keys=True,  # the stages deploy to other accounts
            cli_version="2.1148.1",  # package.json's aws-cdk: self-mutation uses the same CLI
            synth=pipelines.ShellStep(
                "Synth",
                input=source,
                # The commit the source action checked out: each version the stages'
                # pipelines register records it (a run can't change it: not a parameter).
                env={"SOURCE_COMMIT": source.source_attribute("CommitId")},
                commands=[
                    "./scripts/bootstrap.sh",
                    'node_modules/.bin/cdk synth -a ".venv/bin/python delivery.py" '
                    '-c "source_commit=$SOURCE_COMMIT"',
                ],
            ),
        )
        # Each environment's version, as committed in cdk.json's context (a reviewed commit
        # promotes one): "model_package_arn:prod": "arn:…" (of dev's group).
        context = self.node.get_all_context()
        environments = with_versions([DEV, PROD], context)
        # The Synth step's commit (none in a synth without -c source_commit=…), and the
        # repository it is of.
        revision = replace(source_revision(context), repository=f"https://github.com/{REPOSITORY}")
        # Both stages before add_stage, which synthesizes a stage there and then: prod's
        # stage adds dev's sharing (its bucket's name, registry and key policies) to dev's.
        dev = MlOpsStage(self, "dev", config=environments["dev"], revision=revision)
        prod = MlOpsStage(
            self, "prod", config=environments["prod"], model_source=dev, revision=revision
        )
        pipeline.add_stage(deployed(dev))
        pipeline.add_stage(
            deployed(prod),
            pre=[pipelines.ManualApprovalStep("PromoteToProd")],
        )
        pipeline.build_pipeline()
        # aws-cdk-lib makes the CodePipeline depend on its role, which its RoleArn (a GetAtt)
        # already waits for (cfn-lint W3005): it depends on the role's policy alone.
        role_policy = pipeline.pipeline.role.node.find_child("DefaultPolicy").node.default_child
        cast(cdk.CfnResource, pipeline.pipeline.node.default_child).add_override(
            "DependsOn", [self.get_logical_id(cast(cdk.CfnElement, role_policy))]
        )
        # On the pipeline, not the stack: the stages are inside the stack, and an
        # acknowledgment covers everything under the construct it is made on.
        for finding in DELIVERY_FINDINGS:
            cdk.Validations.of(pipeline).acknowledge(
                cdk.Acknowledgment(id=finding, reason="CDK Pipelines' own resources")
            )


def deployed(stage: cdk.Stage) -> cdk.Stage:
    """``stage``, if it names its account and region; else synth fails, naming it.

    CDK Pipelines deploys a stage without them (environment-agnostic) to the pipeline's
    own account and region, the tooling account: a config that lost its account would
    put dev's or prod's resources there, and synth would not say so.

    Example::

        pipeline.add_stage(deployed(MlOpsStage(self, "dev", config=DEV)))
    """
    for part in ("account", "region"):
        value = getattr(stage, part)
        if value is None or cdk.Token.is_unresolved(value):
            raise ValueError(
                f"stage {stage.node.path!r} names no {part} (its env=): CDK Pipelines would "
                "deploy it to the pipeline's own account and region; give its config one"
            )
    return stage


def build_app(outdir: str | None = None, context: dict[str, Any] | None = None) -> cdk.App:
    """The delivery app; any unacknowledged finding fails its synth.

    ``context``: what ``cdk synth`` passes from ``cdk.json`` (its feature flags), for a test.
    """
    app = cdk.App(outdir=outdir, context=context, post_cli_context=FAIL_SYNTH_ON_VALIDATION_ERRORS)
    DeliveryStack(app, "Delivery", env=TOOLING)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app), NIST80053R5Checks(app))
    return app


if __name__ == "__main__":
    synth_app(build_app)
