"""Checks that look inside pipeline definitions (pure Python, like cdk-nag rules).

Each check is one small module named after its id, exposing
``check(definition) -> list[Finding]``. ``packs`` groups them with a level and the
what/why text; ``cdk_sagemaker_pipelines.cdk.validation`` runs packs at synth as a policy
validation plugin, so findings are acknowledged exactly like cdk-nag's.

A rule of your own is a ``Rule`` whose check returns ``Finding``s; give it to the plugin
as ``SageMakerPipelineChecks(extra_rules=[...])``. ``all_steps`` (branch steps included),
``job_arguments`` (each training job definition of a tuning step of several), ``dig``,
``instance_types`` (each instance type a step asks for, a parameter's by its default) and
``parameter_defaults`` walk a definition as the built-in checks do.

Example::

    def max_runtime(definition):
        for step in all_steps(definition):
            runtime = dig(step.get("Arguments"), "StoppingCondition.MaxRuntimeInSeconds")
            # A parameter ({"Get": "Parameters.…"}) can't be judged at synth: flagged too.
            if step.get("Type") == "Training" and not (isinstance(runtime, int)
                                                     and runtime <= 86400):
                yield Finding(str(step.get("Name")),
                              "Arguments.StoppingCondition.MaxRuntimeInSeconds",
                              f"{runtime!r}: more than 24 hours, or not known at synth")

    MAX_RUNTIME = Rule("ACME-MaxRuntime", "Error", "A training job may run over 24 h.",
                       "Cap MaxRuntimeInSeconds at 86400.", max_runtime)
"""

from ._finding import (
    Finding,
    InstanceTypeUse,
    all_steps,
    dig,
    instance_types,
    job_arguments,
    parameter_defaults,
)
from .packs import BASELINE, COST, NETWORK, Rule, RuleResult, run_rules

__all__ = [
    "BASELINE",
    "COST",
    "NETWORK",
    "Finding",
    "InstanceTypeUse",
    "Rule",
    "RuleResult",
    "all_steps",
    "dig",
    "instance_types",
    "job_arguments",
    "parameter_defaults",
    "run_rules",
]
