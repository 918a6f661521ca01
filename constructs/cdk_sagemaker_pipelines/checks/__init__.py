"""Checks that look inside pipeline definitions (pure Python, like cdk-nag rules).

Each check is one small module named after its id, exposing
``check(definition) -> list[Finding]``. ``packs`` groups them with a level and the
what/why text; ``cdk_sagemaker_pipelines.cdk.validation`` runs packs at synth as a policy
validation plugin, so findings are acknowledged exactly like cdk-nag's.
"""

from ._finding import Finding
from .packs import BASELINE, NETWORK, Rule, RuleResult, run_rules

__all__ = ["BASELINE", "NETWORK", "Finding", "Rule", "RuleResult", "run_rules"]
