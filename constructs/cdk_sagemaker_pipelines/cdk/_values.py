"""aws-cdk-lib values that never change, made through jsii once per process.

``Duration.days(7)`` and ``s3.BlockPublicAccess.BLOCK_ALL`` are a jsii round trip each
time they are written, and every ``ArtifactStore`` writes five of them (for each of its
buckets' lifecycle rules and public-access blocks). Both are immutable value objects in
aws-cdk-lib (nothing can change a ``Duration`` or a ``BlockPublicAccess`` once made), and
belong to no app or construct tree, so one object serves every app of the process, as an
enum member would. Only such values belong here: never anything scoped to a construct,
a stack or an app (``_tree`` keeps those, per construct).

Example::

    expiration=days(7)  # the same as Duration.days(7), made once
    block_public_access=block_all()  # s3.BlockPublicAccess.BLOCK_ALL
"""

from __future__ import annotations

from functools import cache

from aws_cdk import Duration
from aws_cdk import aws_s3 as s3


@cache
def days(amount: int) -> Duration:
    """``Duration.days(amount)`` (the same immutable object for every caller)."""
    return Duration.days(amount)


@cache
def hours(amount: int) -> Duration:
    """``Duration.hours(amount)`` (the same immutable object for every caller)."""
    return Duration.hours(amount)


@cache
def block_all() -> s3.BlockPublicAccess:
    """``s3.BlockPublicAccess.BLOCK_ALL``."""
    return s3.BlockPublicAccess.BLOCK_ALL
