"""One deployable environment: ``cdk deploy "dev/*"``."""

from __future__ import annotations

from aws_cdk import Environment, Stage, Validations
from cdk_nag import AwsSolutionsChecks, NIST80053R5Checks

from cdk_sagemaker_pipelines.cdk.validation import SageMakerPipelineChecks
from constructs import Construct

from .config import EnvironmentConfig
from .mlops_stack import MlOpsStack


class MlOpsStage(Stage):
    """One environment's ``MlOps`` stack, checked at synth.

    cdk-nag's AwsSolutions and NIST 800-53 rev 5 packs and the definition checks run as
    policy validation plugins: an unacknowledged finding fails ``cdk synth``.

    Example::

        MlOpsStage(app, "dev", config=EnvironmentConfig(name="dev", retain_data=False))
    """

    def __init__(self, scope: Construct, construct_id: str, *, config: EnvironmentConfig) -> None:
        env = None
        if config.account or config.region:
            env = Environment(account=config.account, region=config.region)
        super().__init__(scope, construct_id, env=env)
        self.config = config
        self.stack = MlOpsStack(self, "MlOps", config=config)
        Validations.of(self).add_plugins(
            AwsSolutionsChecks(self),
            NIST80053R5Checks(self),
            SageMakerPipelineChecks(require_network_isolation=config.require_network_isolation),
        )
