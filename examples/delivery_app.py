"""CDK Pipelines delivery app: a CodePipeline in a tooling account deploys each environment.

The environments are the reference app's, cdk.json's ``environments``, in their order; one
that keeps its data (``retain_data``, prod-like) deploys after a manual approval.
docs/cdk-pipelines.md explains it. To use it, copy this file next to ``app.py`` (as
``delivery.py``), give each environment of ``cdk.json`` its account and region
(docs/multi-account.md), put in your tooling account, repository and connection here, and
run ``node_modules/.bin/cdk synth -a ".venv/bin/python delivery.py"``. cdk-nag then prints the
findings on CDK Pipelines' own resources for your accounts and region: replace
``DELIVERY_FINDINGS`` with the ids its report prints, after reviewing them.
tests/cdk/test_delivery_example.py synthesizes this app, cdk-nag packs included, and runs
cfn-lint on its stack.
"""

from __future__ import annotations

from collections.abc import Mapping
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
from stacks import EnvironmentConfig, MlOpsStage, load_environments  # noqa: E402
from stacks.config import ConfigError, cdk_json_problems, source_revision  # noqa: E402

TOOLING = cdk.Environment(account="111111111111", region="eu-west-1")
# The GitHub repository the pipeline deploys from (through a CodeConnections connection).
REPOSITORY = "acme/ml-platform"
# The file the CDK CLI read the context from: it runs the app in cdk.json's directory.
CDK_JSON = Path("cdk.json")
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
    """The delivery pipeline, with one ``MlOpsStage`` per environment of cdk.json's context.

    In ``environments``' order; one that keeps its data (``retain_data``) after a manual
    approval of its own, ``PromoteTo<Name>``.

    Example::

        DeliveryStack(app, "Delivery", env=TOOLING)
    """

    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        # The reference app's environments, as app.py reads them, with each one's version
        # committed in cdk.json's context (a reviewed commit promotes one):
        # "model_package_arn:prod": "arn:…" (of its model_source's group).
        context = self.node.get_all_context()
        environments = delivery_environments(self.node.try_get_context("environments"), context)
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
        # The Synth step's commit (none in a synth without -c source_commit=…), and the
        # repository it is of.
        revision = replace(source_revision(context), repository=f"https://github.com/{REPOSITORY}")
        # Every stage before add_stage, which synthesizes a stage there and then: a stage
        # serving another's versions adds the sharing (its bucket's name, registry and key
        # policies) to its source's, which delivery_environments puts before it.
        stages: dict[str, MlOpsStage] = {}
        for name, config in environments.items():
            model_source = stages[config.model_source] if config.model_source else None
            stages[name] = MlOpsStage(
                self, name, config=config, model_source=model_source, revision=revision
            )
        for name, stage in stages.items():
            # A prod-like environment (it keeps its data) deploys once someone approves.
            approval = pipelines.ManualApprovalStep(f"PromoteTo{name.capitalize()}")
            pipeline.add_stage(deployed(stage), pre=[approval] if stage.config.retain_data else [])
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


def delivery_environments(
    environments: Any, context: Mapping[str, Any]
) -> dict[str, EnvironmentConfig]:
    """cdk.json's ``environments``, as ``load_environments`` reads them; else ``ConfigError``.

    The pipeline deploys them in this order, so each must come after its ``model_source``:
    its deployment reads the source's group and bucket. Each names its account and region.

    Example::

        delivery_environments(app.node.try_get_context("environments"), app.node.get_all_context())
    """
    if not environments:
        # load_environments' message lists the settings; the likelier cause here is a
        # synth outside the project's root, where the CLI finds no cdk.json.
        raise ConfigError(
            "the delivery app deploys one stage per environment of cdk.json's context "
            "'environments', and the context has none: run it from the directory of the "
            "project's cdk.json, and name each environment's account and region there "
            "(docs/multi-account.md)"
        )
    configs = load_environments(environments, context)
    names = list(configs)
    # As deployed() refuses a stage without them, but before any stage is built, all at
    # once, and as a ConfigError (its message alone, without a traceback).
    problems = [
        f"environment '{name}' names no {part}: CDK Pipelines would deploy it to the "
        f"pipeline's own account and region; set '{part}' (docs/multi-account.md)"
        for name, config in configs.items()
        for part in ("account", "region")
        if getattr(config, part) is None
    ]
    problems += [
        f"environment '{name}' serves the versions of '{config.model_source}' (its "
        f"'model_source'), which comes after it: the pipeline deploys the environments in "
        f"cdk.json's order, and {name}'s deployment reads {config.model_source}'s group and "
        f"bucket; put '{config.model_source}' first"
        for name, config in configs.items()
        if config.model_source and names.index(config.model_source) > names.index(name)
    ]
    if problems:
        raise ConfigError(
            "invalid cdk.json 'environments':\n" + "\n".join(f"- {p}" for p in problems)
        )
    return configs


def deployed(stage: cdk.Stage) -> cdk.Stage:
    """``stage``, if it names its account and region; else synth fails, naming it.

    CDK Pipelines deploys a stage without them (environment-agnostic) to the pipeline's
    own account and region, the tooling account: a config that lost its account would
    put dev's or prod's resources there, and synth would not say so.

    Example::

        pipeline.add_stage(deployed(MlOpsStage(self, "dev", config=environments["dev"])))
    """
    for part in ("account", "region"):
        value = getattr(stage, part)
        if value is None or cdk.Token.is_unresolved(value):
            raise ValueError(
                f"stage {stage.node.path!r} names no {part} (its env=): CDK Pipelines would "
                f"deploy it to the pipeline's own account and region; set '{part}' in its "
                "environment's settings (cdk.json's 'environments')"
            )
    return stage


def build_app(outdir: str | None = None, context: dict[str, Any] | None = None) -> cdk.App:
    """The delivery app; any unacknowledged finding fails its synth.

    ``context``: what ``cdk synth`` passes from ``cdk.json`` (its feature flags and
    environments), for a test.
    """
    if context is None and CDK_JSON.is_file():  # run by the CDK CLI, from cdk.json's directory
        # As app.py: an environment (or setting) given twice reaches the app once, the last.
        duplicated = cdk_json_problems(CDK_JSON.read_text(encoding="utf-8"))
        if duplicated:
            raise ConfigError("invalid cdk.json 'environments':\n- " + "\n- ".join(duplicated))
    app = cdk.App(outdir=outdir, context=context, post_cli_context=FAIL_SYNTH_ON_VALIDATION_ERRORS)
    DeliveryStack(app, "Delivery", env=TOOLING)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app), NIST80053R5Checks(app))
    return app


if __name__ == "__main__":
    try:
        synth_app(build_app)
    except ConfigError as error:
        # The message lists every problem: a traceback would only bury it.
        raise SystemExit(str(error)) from None
