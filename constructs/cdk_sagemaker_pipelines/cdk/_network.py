"""The security groups the constructs create for jobs and endpoint models, and their egress.

A created group allows outbound HTTPS only (TCP 443 to anywhere, IPv6 too in a VPC that
has it): S3 (through its gateway endpoint or a NAT gateway), the interface endpoints a
SageMaker job or model needs (ECR, STS, CloudWatch Logs, KMS, SageMaker's API) and HTTPS
package indexes all listen there. ``allow_all_outbound=True`` restores aws-cdk-lib's
default (all outbound IPv4 traffic).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..definition import Problem
from ._props import PropProblem, expect_bool

if TYPE_CHECKING:
    from aws_cdk import aws_ec2 as ec2

HTTPS_PORT = 443


def allow_all_outbound_problems(
    allow_all_outbound: object, vpc: object, security_groups: object
) -> list[Problem]:
    """``allow_all_outbound`` a bool, and True only where the construct creates a group.

    True without ``vpc`` or with ``security_groups`` would be accepted and ignored: the
    construct creates no group then, so nothing would be opened.
    """
    problem = expect_bool("allow_all_outbound", allow_all_outbound)
    if problem is not None:
        return [problem]
    if allow_all_outbound is not True:
        return []
    if vpc is None:
        return [
            PropProblem(
                None,
                "allow_all_outbound",
                "given without vpc, so it would be ignored",
                "pass vpc= too",
            )
        ]
    if security_groups:
        return [
            PropProblem(
                None,
                "allow_all_outbound",
                "applies to the security group the construct creates, and it creates none "
                "with security_groups=",
                "set the egress rules of the groups you give, or leave security_groups out",
            )
        ]
    return []


def vpc_has_ipv6(vpc: ec2.IVpc) -> bool:
    """Whether ``vpc`` is an ``ec2.Vpc`` of this app with an IPv6 CIDR block (dual stack).

    An imported VPC says nothing of its IPv6 blocks: taken as IPv4 only.
    """
    from aws_cdk import aws_ec2 as ec2

    return any(
        isinstance(child, ec2.CfnVPCCidrBlock)
        and bool(
            child.amazon_provided_ipv6_cidr_block
            or child.ipv6_cidr_block
            or child.ipv6_ipam_pool_id
            or child.ipv6_pool
        )
        for child in vpc.node.children
    )


def https_only_egress(group: ec2.SecurityGroup, vpc: ec2.IVpc) -> None:
    """Allow ``group`` (created with ``allow_all_outbound=False``) outbound HTTPS only."""
    from aws_cdk import aws_ec2 as ec2

    group.add_egress_rule(
        ec2.Peer.any_ipv4(), ec2.Port.tcp(HTTPS_PORT), "HTTPS: AWS endpoints, S3, package indexes"
    )
    if vpc_has_ipv6(vpc):
        group.add_egress_rule(
            ec2.Peer.any_ipv6(),
            ec2.Port.tcp(HTTPS_PORT),
            "HTTPS: AWS endpoints, S3, package indexes",
        )
