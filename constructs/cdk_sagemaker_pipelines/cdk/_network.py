"""The security groups the constructs create for jobs and endpoint models, and their egress.

A created group allows outbound HTTPS only (TCP 443 to anywhere, IPv6 too in a VPC that
has it): S3 (through its gateway endpoint or a NAT gateway), the interface endpoints a
SageMaker job or model needs (ECR, STS, CloudWatch Logs, KMS, SageMaker's API) and HTTPS
package indexes all listen there. ``allow_all_outbound=True`` restores aws-cdk-lib's
default (all outbound IPv4 traffic).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..definition import Problem
from ._props import PropProblem, expect_bool
from ._tree import is_instance, node_of

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


def other_vpc_group_problems(
    vpc: ec2.IVpc | None, security_groups: Sequence[ec2.ISecurityGroup] | None, runs: str
) -> list[Problem]:
    """Groups given in ``security_groups`` that the app created for another VPC than ``vpc``.

    SageMaker accepts such a group at deploy and fails each job (model) when it starts: a
    group works in its own VPC only. Judged only when both are of the app: the group's
    ``VpcId`` and ``vpc.vpc_id`` are then tokens of the app, the same string for the same
    VPC. An imported VPC or group, or one of a VPC the app doesn't create, isn't judged.
    ``runs`` says what runs in ``vpc``: ``"the jobs run"``.

    Example::

        other_vpc_group_problems(vpc, [group], "the jobs run")
        # [prop 'security_groups': the group Stack/Group is of the VPC Stack/Other, and …]
    """
    if vpc is None or not security_groups:
        return []
    if not is_instance(node_of(vpc).default_child, "aws-cdk-lib.aws_ec2.CfnVPC"):
        return []  # imported: its id may be any VPC's
    vpc_id = vpc.vpc_id
    problems: list[Problem] = []
    for group in security_groups:
        resource = node_of(group).default_child
        if not is_instance(resource, "aws-cdk-lib.aws_ec2.CfnSecurityGroup"):
            continue  # imported
        group_vpc_id = resource.vpc_id  # type: ignore[union-attr]
        if group_vpc_id is None or group_vpc_id == vpc_id:
            continue
        other = _vpc_path(group_vpc_id)
        if other is None:
            continue  # a VPC id of no VPC of the app (literal, or imported): not judged
        problems.append(
            PropProblem(
                None,
                "security_groups",
                f"the group {node_of(group).path} is of the VPC {other}, and {runs} in "
                f"{node_of(vpc).path}: a security group works in its own VPC only, so "
                "SageMaker would fail each of them when it starts",
                f"give groups created with vpc= {node_of(vpc).path}, or leave "
                "security_groups out for one the construct creates",
            )
        )
    return problems


def _vpc_path(vpc_id: str) -> str | None:
    """The construct path of the VPC of the app a ``VpcId`` token refers to, if it does."""
    from aws_cdk import Reference, Tokenization

    token = Tokenization.reverse_string(vpc_id).first_token
    target = token.target if isinstance(token, Reference) else None
    if target is None or not is_instance(target, "aws-cdk-lib.aws_ec2.CfnVPC"):
        return None
    node = node_of(target)
    # An ec2.Vpc's CfnVPC is its child "Resource": name the Vpc, as the app writes it.
    scope = node.scope
    if node.id == "Resource" and scope is not None:
        return node_of(scope).path
    return node.path


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
