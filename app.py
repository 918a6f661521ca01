#!/usr/bin/env python3
"""The reference app: one CDK Stage per environment in ``cdk.json`` (``cdk deploy "dev/*"``).

Synth needs no AWS credentials and makes no AWS calls.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from cdk_sagemaker_pipelines.jsii_node import prepare_jsii_node  # noqa: E402

# jsii runs on the project's Node 22 (node_modules/.bin/node; the machine's may be end of
# life), with V8's worker threads capped to the CPUs (faster synth on small machines).
prepare_jsii_node(ROOT / "node_modules" / ".bin" / "node")

import aws_cdk as cdk  # noqa: E402
from cdk_nag import AwsSolutionsChecks, NIST80053R5Checks  # noqa: E402

from cdk_sagemaker_pipelines.cdk import FAIL_SYNTH_ON_VALIDATION_ERRORS, synth_app  # noqa: E402
from cdk_sagemaker_pipelines.definition import PipelineDefinitionError  # noqa: E402
from stacks import MlOpsStage, load_environments, source_revision  # noqa: E402
from stacks.config import ConfigError, cdk_json_problems  # noqa: E402

# The file the CDK CLI read the context from: it runs the app in cdk.json's directory.
CDK_JSON = Path("cdk.json")


def build_app(context: dict[str, object] | None = None, outdir: str | None = None) -> cdk.App:
    """Build the app: one ``MlOpsStage`` per configured environment."""
    if context is None and CDK_JSON.is_file():  # run by the CDK CLI, from cdk.json's directory
        duplicated = cdk_json_problems(CDK_JSON.read_text(encoding="utf-8"))
        if duplicated:
            raise SystemExit("invalid cdk.json 'environments':\n- " + "\n- ".join(duplicated))
    # Findings fail synth whatever the CLI asks: with every stack in a Stage, the CLI would
    # report them for none of the stacks a plain `cdk synth` selects.
    # No JavaScript stack trace with each warning: in a Python app it points into jsii, and
    # the CDK CLI would print its first frame above every warning.
    app = cdk.App(
        context=context,
        outdir=outdir,
        post_cli_context={**FAIL_SYNTH_ON_VALIDATION_ERRORS, "aws:cdk:disable-stack-trace": True},
    )
    try:
        # The whole context too: each environment's model_package_arn:<name> key (the
        # version its endpoint serves) is a key of its own, so that `cdk deploy -c` sets it.
        environments = load_environments(
            app.node.try_get_context("environments"), app.node.get_all_context()
        )
        # The commit each registered version records: given at synth (cdk synth -c
        # source_commit=$(git rev-parse HEAD)), never read from git here, so that a synth
        # without it gives the same templates in any checkout.
        revision = source_revision(app.node.get_all_context())
    except ConfigError as error:
        raise SystemExit(str(error)) from None
    stages: dict[str, MlOpsStage] = {}

    def stage(name: str) -> MlOpsStage:
        # A model_source's stage first: the stage serving its versions shares them from it.
        if name not in stages:
            config = environments[name]
            model_source = stage(config.model_source) if config.model_source else None
            stages[name] = MlOpsStage(
                app, name, config=config, model_source=model_source, revision=revision
            )
        return stages[name]

    for name in environments:
        try:
            stage(name)
        except PipelineDefinitionError as error:
            # The message names the construct path, step and field; the frames jsii adds
            # between here and the construct say nothing more.
            raise SystemExit(f"synth failed: {error}") from None
    # Once for the whole app: a pack registered per stage walks every stage again.
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app), NIST80053R5Checks(app))
    return app


if __name__ == "__main__":
    synth_app(build_app)
