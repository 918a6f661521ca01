"""``EMRStep``: add a step to an Amazon EMR cluster."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from .._render import JsonValue, RenderContext, compact, render, render_string_list
from .._typecheck import checked
from ..expressions import Expression
from ..retry import CacheConfig
from ._base import RetryableStep

if TYPE_CHECKING:
    from ..property_types import EMRStepProperties


@checked
@dataclass(frozen=True, slots=True, eq=False, kw_only=True, repr=False)
class EMRStep(RetryableStep):
    """Runs ``jar`` with ``args`` as a step on an EMR cluster.

    Give ``cluster_id`` to run on a running cluster, with ``execution_role_arn`` for a
    runtime role (the role the step runs as, on a cluster with runtime roles enabled),
    or ``cluster_config`` (RunJobFlow's request, less ``Name``, ``Steps`` and
    ``AutoTerminationPolicy``, which SageMaker sets) to run on a new cluster that
    SageMaker creates for the step and ends after it. ``retry_policies`` retry the step on
    ``Step.*`` exceptions, as the SDK's ``EMRStep(retry_policies=)`` does.

    Example::

        EMRStep(name="Spark", cluster_id="j-1ABCDEFG2HIJK", jar="command-runner.jar",
                args=["spark-submit", "s3://my-bucket/job.py"],
                execution_role_arn="arn:aws:iam::111122223333:role/EmrRuntimeRole")
        EMRStep(name="SparkOnNewCluster", jar="command-runner.jar", args=[...],
                cluster_config={"ReleaseLabel": "emr-6.10.0", "Instances": {...},
                                "JobFlowRole": "EMR_EC2_DefaultRole",
                                "ServiceRole": "EMR_DefaultRole"})
    """

    jar: str | Expression
    cluster_id: str | Expression | None = None
    cluster_config: Mapping[str, Any] | None = None
    execution_role_arn: str | Expression | None = None
    args: Sequence[Any] | None = None
    main_class: str | None = None
    properties_: Mapping[str, str] | None = None
    cache_config: CacheConfig | None = None
    step_type: ClassVar[str] = "EMR"
    argument_fields: ClassVar[Mapping[str, str]] = {
        "Arguments.StepConfig.HadoopJarStep.Jar": "jar",
        "Arguments.StepConfig.HadoopJarStep.Args": "args",
        "Arguments.StepConfig.HadoopJarStep.MainClass": "main_class",
        "Arguments.StepConfig.HadoopJarStep.Properties": "properties_",
        "Arguments.ClusterId": "cluster_id",
        "Arguments.ClusterConfig": "cluster_config",
        "Arguments.ExecutionRoleArn": "execution_role_arn",
        "CacheConfig": "cache_config",
    }

    if TYPE_CHECKING:  # the generated stub: a checker completes and checks paths

        @property
        def properties(self) -> EMRStepProperties: ...

    def _arguments(self, ctx: RenderContext) -> JsonValue:
        properties = None
        if self.properties_:
            properties = [{"Key": key, "Value": value} for key, value in self.properties_.items()]
        jar_step = compact(
            Jar=render(self.jar, ctx),
            Args=render_string_list(self.args, ctx),
            MainClass=self.main_class,
            Properties=properties,
        )
        # Neither or both of cluster_id and cluster_config: the definition checks say so,
        # naming the argument, with every other problem of the pipeline.
        return {
            "StepConfig": {"HadoopJarStep": jar_step},
            **compact(
                ClusterId=render(self.cluster_id, ctx),
                ClusterConfig=render(self.cluster_config, ctx),
                ExecutionRoleArn=render(self.execution_role_arn, ctx),
            ),
        }

    def _extra_fields(self, ctx: RenderContext) -> dict[str, JsonValue]:
        return {
            **compact(CacheConfig=self.cache_config.to_request(ctx) if self.cache_config else None),
            **RetryableStep._extra_fields(self, ctx),
        }
