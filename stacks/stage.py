"""One deployable environment: ``cdk deploy "dev/*"``."""

from __future__ import annotations

from aws_cdk import Environment, Stage, Validations

from cdk_sagemaker_pipelines.cdk.validation import SageMakerPipelineChecks
from constructs import Construct

from .config import EnvironmentConfig, SourceRevision
from .mlops_stack import MlOpsStack


class MlOpsStage(Stage):
    """One environment's ``MlOps`` stack, with the definition checks for that environment.

    ``SageMakerPipelineChecks`` runs per stage because what it requires (network
    isolation) depends on the environment; a run-time limit on every job it requires
    everywhere (``require_job_runtime_limits``). The cdk-nag packs run once for the whole
    app (``app.py``). Any unacknowledged finding fails ``cdk synth``, also when the stage is
    created inside a CDK Pipelines stack (``pipeline.add_stage(MlOpsStage(self, …))``).

    ``model_source``: the stage of the environment named by ``config.model_source``, whose
    versions this one's endpoint serves (create it first). ``revision``: the commit and
    repository the app is deployed from, which each registered version records.

    Example::

        MlOpsStage(app, "dev", config=EnvironmentConfig(name="dev", retain_data=False))
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        model_source: MlOpsStage | None = None,
        revision: SourceRevision | None = None,
    ) -> None:
        env = None
        if config.account or config.region:
            env = Environment(account=config.account, region=config.region)
        super().__init__(scope, construct_id, env=env)
        self.config = config
        self.stack: MlOpsStack = MlOpsStack(
            self,
            "MlOps",
            config=config,
            model_source=model_source.stack if model_source is not None else None,
            revision=revision,
        )
        # On the app, limited to this stage's stacks: aws-cdk-lib skips the plugins of a
        # Stage created inside a stack (a CDK Pipelines app's stages) without a word.
        # Every job states its run-time limit, in every environment: a runaway job bills
        # until SageMaker stops it, days later for a processing job.
        Validations.of(self.node.root).add_plugins(
            SageMakerPipelineChecks(
                require_network_isolation=config.require_network_isolation,
                require_job_runtime_limits=True,
                scope=self,
            )
        )
