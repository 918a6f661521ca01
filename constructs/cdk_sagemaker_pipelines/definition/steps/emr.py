"""``EMRStep``: add a step to an Amazon EMR cluster."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from .._render import JsonValue, RenderContext, compact, render, render_string_list
from .._typecheck import checked
from ..expressions import Expression
from ..retry import CacheConfig
from ._base import Step


@checked
@dataclass(frozen=True, slots=True, eq=False, kw_only=True, repr=False)
class EMRStep(Step):
    """Runs ``jar`` with ``args`` as a step on the EMR cluster ``cluster_id``.

    Example::

        EMRStep(name="Spark", cluster_id="j-1ABCDEFG2HIJK", jar="command-runner.jar",
                args=["spark-submit", "s3://my-bucket/job.py"])
    """

    cluster_id: str | Expression
    jar: str | Expression
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
        "CacheConfig": "cache_config",
    }

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
        return {
            "StepConfig": {"HadoopJarStep": jar_step},
            "ClusterId": render(self.cluster_id, ctx),
        }

    def _extra_fields(self, ctx: RenderContext) -> dict[str, JsonValue]:
        return compact(CacheConfig=self.cache_config.to_request(ctx) if self.cache_config else None)
