"""Facts of the construct tree that never change, read through jsii once per construct.

A construct's stack, stage, app (root) and path, and its stack's account and region, are
fixed when it is created; reading one is a jsii round trip, and the constructs read the
same ones for every prop they check, every grant and every validation (a bucket's stack
for each trigger of it, the pipeline's account for each role). Here each is read once per
construct and kept, weakly keyed by the construct, as ``_arns`` keeps a stack's ARN parts.
Only facts that can't change are kept: not children, not a default child (both grow).

A construct's root, stage and stack all come from one read of its ancestors
(``node.scopes``), which tells those of each ancestor too (its scope, its stack, its stage);
for a construct this library creates, ``placed`` records its scope, from which they follow
without any read.

Example::

    stack_of(bucket) is Stack.of(bucket)  # True; the second call costs no round trip
    account_region(bucket)  # (Stack.of(bucket).account, Stack.of(bucket).region)
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Callable
from typing import Any, TypeGuard, TypeVar, overload

from aws_cdk import Stack, Stage

from constructs import IConstruct, Node

_T = TypeVar("_T")
_V = TypeVar("_V")

_NODES: weakref.WeakKeyDictionary[Any, Node] = weakref.WeakKeyDictionary()
_STACKS: weakref.WeakKeyDictionary[Any, Stack] = weakref.WeakKeyDictionary()
_STAGES: weakref.WeakKeyDictionary[Any, Stage | None] = weakref.WeakKeyDictionary()
_ROOTS: weakref.WeakKeyDictionary[Any, IConstruct] = weakref.WeakKeyDictionary()
_PATHS: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()
_ENVIRONMENTS: weakref.WeakKeyDictionary[Stack, tuple[str, str]] = weakref.WeakKeyDictionary()
_SCOPES: weakref.WeakKeyDictionary[Any, IConstruct] = weakref.WeakKeyDictionary()
_RESOURCE_ENVIRONMENTS: weakref.WeakKeyDictionary[Any, tuple[Any, Any] | None] = (
    weakref.WeakKeyDictionary()
)


def _cached(cache: weakref.WeakKeyDictionary[Any, _V], key: Any, read: Callable[[Any], _V]) -> _V:
    """``read(key)``, once per ``key`` (every time for a key that can't be weakly referenced)."""
    try:
        return cache[key]
    except KeyError:
        pass
    except TypeError:  # not weakly referenceable (nor a construct, then): nothing to keep
        return read(key)
    value = read(key)
    cache[key] = value
    return value


def _remember(cache: weakref.WeakKeyDictionary[Any, _V], key: Any, value: _V) -> None:
    with contextlib.suppress(TypeError):  # not weakly referenceable: nothing to keep
        cache[key] = value


def placed(construct: IConstruct, scope: IConstruct) -> None:
    """Record that ``construct`` was just created in ``scope`` (its ``node.scope``).

    Its root, stage and stack then follow from ``scope``'s, without a round trip.

    Example::

        super().__init__(scope, construct_id)
        placed(self, scope)
    """
    _remember(_SCOPES, construct, scope)


def _learn_from_scope(construct: IConstruct, scope: IConstruct) -> None:
    """Cache the root, stage and stack of ``construct``, created in ``scope``, from ``scope``'s."""
    _remember(_ROOTS, construct, root_of(scope))
    _remember(_STAGES, construct, scope if isinstance(scope, Stage) else stage_of(scope))
    stack: Stack | None
    if isinstance(construct, Stack):
        stack = construct
    elif isinstance(construct, Stage) or isinstance(scope, Stage):
        stack = None  # Stack.of raises at a stage
    else:
        stack = _from_ancestors(_STACKS, scope)
    if stack is not None:
        _remember(_STACKS, construct, stack)


def _learn(construct: IConstruct) -> None:
    """Cache the root, stage and stack of ``construct`` (and of its ancestors)."""
    scope = _SCOPES.get(construct) if construct in _SCOPES else None
    if scope is not None:
        _learn_from_scope(construct, scope)
    else:
        _learn_ancestors(construct)


def _learn_ancestors(construct: IConstruct) -> None:
    """Cache the root, stage and stack of ``construct`` and of each of its ancestors.

    As aws-cdk-lib finds them: the root is the first of ``node.scopes``; ``Stage.of`` is the
    nearest stage above a construct (not the construct itself); ``Stack.of`` the nearest
    stack at or above it, unless a stage comes first (``Stack.of`` then raises, so no stack
    is kept and ``stack_of`` asks aws-cdk-lib, which raises its own error).
    """
    scopes = node_of(construct).scopes  # the construct's own node last: never empty
    root = scopes[0]
    above: Stage | None = None  # the nearest stage above the ancestor
    stack: Stack | None = None  # the nearest stack at or above it, with no stage between
    for ancestor in scopes:
        if isinstance(ancestor, Stack):
            stack = ancestor
        elif isinstance(ancestor, Stage):
            stack = None
        _keep(ancestor, root, above, stack)
        last = (above, stack)
        if isinstance(ancestor, Stage):
            above = ancestor
    if scopes[-1] is not construct:  # jsii's own proxy of it (an imported resource's)
        _keep(construct, root, *last)


def _keep(construct: Any, root: IConstruct, stage: Stage | None, stack: Stack | None) -> None:
    _remember(_ROOTS, construct, root)
    _remember(_STAGES, construct, stage)
    if stack is not None:
        _remember(_STACKS, construct, stack)


def _from_ancestors(cache: weakref.WeakKeyDictionary[Any, _V], construct: Any) -> _V | None:
    """``cache[construct]``, reading the construct's ancestors first if needed (None: not known)."""
    for attempt in range(2):
        try:
            return cache[construct]
        except KeyError:
            if attempt == 0:
                _learn(construct)
        except TypeError:
            return None
    return None


def node_of(construct: IConstruct) -> Node:
    """``construct.node`` (jsii gives a new proxy of the same node at each read)."""
    return _cached(_NODES, construct, lambda c: c.node)


def stack_of(construct: IConstruct) -> Stack:
    """``Stack.of(construct)``: raises as it does for a construct outside any stack."""
    stack = _from_ancestors(_STACKS, construct)
    return stack if stack is not None else Stack.of(construct)


def stage_of(construct: IConstruct) -> Stage | None:
    """``Stage.of(construct)``: the stage (or app) whose assembly the construct is in."""
    if construct not in _STAGES:  # (not for a value that can't be weakly referenced)
        _learn(construct)
    return _STAGES[construct] if construct in _STAGES else Stage.of(construct)


def root_of(construct: IConstruct) -> IConstruct:
    """``construct.node.root``: the app (or the root construct of a tree without one)."""
    root = _from_ancestors(_ROOTS, construct)
    return root if root is not None else node_of(construct).root


def path_of(construct: IConstruct) -> str:
    """``construct.node.path``."""
    return _cached(_PATHS, construct, lambda c: node_of(c).path)


def account_region(construct: IConstruct) -> tuple[str, str]:
    """The account and region of ``construct``'s stack (tokens when environment-agnostic)."""
    return stack_account_region(stack_of(construct))


def stack_account_region(stack: Stack) -> tuple[str, str]:
    """``(stack.account, stack.region)``, read once per stack (``account_region`` of a stack)."""
    return _cached(_ENVIRONMENTS, stack, lambda s: (s.account, s.region))


def resource_account_region(resource: object) -> tuple[Any, Any] | None:
    """``(resource.env.account, resource.env.region)``, read once per resource.

    None for a value without an ``env`` of both (not a resource). A resource's ``env`` is
    fixed when it is created (its stack's, or the ARN's of an imported one), and the
    environment checks of every construct that takes the resource read it again.

    Example::

        resource_account_region(pipeline)  # (pipeline.env.account, pipeline.env.region)
    """

    def read(value: object) -> tuple[Any, Any] | None:
        env = getattr(value, "env", None)
        if not hasattr(env, "account") or not hasattr(env, "region"):
            return None
        return env.account, env.region  # type: ignore[union-attr]

    return _cached(_RESOURCE_ENVIRONMENTS, resource, read)


@overload
def is_instance(value: object, kind: type[_T]) -> TypeGuard[_T]: ...


@overload
def is_instance(value: object, kind: str) -> bool: ...


def is_instance(value: object, kind: type | str) -> bool:
    """``isinstance(value, kind)`` for a jsii class, from ``value``'s class hierarchy alone.

    aws-cdk-lib's classes are ``ABCMeta`` classes: ``isinstance`` of a construct that is not
    one walks every subclass the class has (``CfnResource`` has hundreds, one per L1 type)
    before it answers no, for each new class of construct; a walk over a stack's
    constructs spends most of its Python time there. ``kind`` may also be a jsii type name
    (``"aws-cdk-lib.aws_lambda.CfnVersion"``), which needs no import of its module: a
    construct of that type has it imported already.

    Example::

        is_instance(construct, CfnResource)  # as isinstance(construct, CfnResource)
        is_instance(construct, "aws-cdk-lib.aws_lambda.CfnVersion")
    """
    if isinstance(kind, str):
        return any(vars(cls).get("__jsii_type__") == kind for cls in type(value).__mro__)
    return kind in type(value).__mro__


# Per scope (a stack, a stage, the app) and per kind of fact, each construct's fact by its
# jsii id: see ``fact_of``.
_FACTS: weakref.WeakKeyDictionary[Any, dict[str, dict[str, Any]]] = weakref.WeakKeyDictionary()


def fact_of(scope: IConstruct, kind: str, construct: IConstruct, read: Callable[[Any], _V]) -> _V:
    """``read(construct)``, once per construct under ``scope``, for a fact that can't change.

    For searches of ``scope`` (``node.find_all()``) that every pipeline of it repeats: read
    anew each time, a fact of each construct found costs round trips quadratic in the
    pipelines. Kept by the construct's jsii id (``construct.__jsii_ref__``), not by the
    object: jsii gives a construct created in JavaScript (a bucket's ``CfnBucket``, an
    asset's imported bucket) a new proxy at each read, whose identity would never match.
    ``kind`` names the fact (``"has-key"``); read every time for a construct without an id,
    or a scope that can't be weakly referenced.

    Example::

        fact_of(stack, "logical-id", resource, lambda r: r.logical_id)
    """
    ref = getattr(getattr(construct, "__jsii_ref__", None), "ref", None)
    if not isinstance(ref, str):
        return read(construct)
    try:
        facts = _FACTS.setdefault(scope, {}).setdefault(kind, {})
    except TypeError:  # not weakly referenceable
        return read(construct)
    try:
        value: _V = facts[ref]
    except KeyError:
        value = facts[ref] = read(construct)
    return value
