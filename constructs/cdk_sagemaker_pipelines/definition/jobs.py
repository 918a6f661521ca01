"""Settings shared by job steps: network isolation, VPC and job-level defaults.

Example::

    NetworkConfig(subnets=["subnet-1"], security_group_ids=["sg-1"],
                  enable_network_isolation=True)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ._errors import PipelineDefinitionError
from ._render import JsonValue, RenderContext, compact, render
from ._typecheck import checked


@checked
@dataclass(frozen=True, slots=True)
class NetworkConfig:
    """Where a job's containers run and what they may reach.

    ``subnets`` and ``security_group_ids`` place the job in your VPC (both or neither);
    ``enable_network_isolation`` blocks all network access from the containers;
    ``enable_inter_container_traffic_encryption`` encrypts traffic between instances.

    Example::

        NetworkConfig(subnets=vpc_subnet_ids, security_group_ids=[sg.security_group_id],
                      enable_network_isolation=True,
                      enable_inter_container_traffic_encryption=True)
    """

    subnets: Sequence[Any] = ()
    security_group_ids: Sequence[Any] = ()
    enable_network_isolation: bool | None = None
    enable_inter_container_traffic_encryption: bool | None = None

    def _validate(self) -> None:
        if bool(self.subnets) != bool(self.security_group_ids):
            given = "subnets" if self.subnets else "security_group_ids"
            missing = "security_group_ids" if self.subnets else "subnets"
            raise PipelineDefinitionError(
                f"NetworkConfig: {given} without {missing}; a VPC job needs both"
            )

    def vpc_config(self, ctx: RenderContext | None = None) -> JsonValue:
        """``{"SecurityGroupIds": …, "Subnets": …}`` or ``None``."""
        if not self.subnets and not self.security_group_ids:
            return None
        return {
            "SecurityGroupIds": render(list(self.security_group_ids), ctx),
            "Subnets": render(list(self.subnets), ctx),
        }

    def processing_request(self, ctx: RenderContext | None = None) -> JsonValue:
        """The ``NetworkConfig`` member of a processing job."""
        body = compact(
            EnableInterContainerTrafficEncryption=self.enable_inter_container_traffic_encryption,
            EnableNetworkIsolation=self.enable_network_isolation,
            VpcConfig=self.vpc_config(ctx),
        )
        return body or None


@checked
@dataclass(frozen=True, slots=True)
class JobDefaults:
    """KMS keys and network a binder applies to jobs that set none themselves.

    The CDK ``Pipeline`` construct fills this from its artifact key and VPC props, so
    every job is encrypted by default.

    Example::

        JobDefaults(volume_kms_key=key_arn, output_kms_key=key_arn,
                    network=NetworkConfig(enable_network_isolation=True))
    """

    volume_kms_key: JsonValue = None
    output_kms_key: JsonValue = None
    network: NetworkConfig | None = None
