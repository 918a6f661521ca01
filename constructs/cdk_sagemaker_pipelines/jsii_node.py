"""Set up the Node.js process jsii starts for aws-cdk-lib, before ``import aws_cdk``.

aws-cdk-lib runs a Python app's constructs in a Node.js process (jsii's kernel), started
when ``aws_cdk`` is first imported, with the environment of that moment. Nothing here
imports ``aws_cdk`` or jsii.

Example::

    from cdk_sagemaker_pipelines.jsii_node import prepare_jsii_node

    prepare_jsii_node("node_modules/.bin/node")  # before import aws_cdk
    import aws_cdk as cdk
"""

from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping
from pathlib import Path

__all__ = [
    "jsii_node_environment",
    "prepare_jsii_node",
    "usable_cpus",
    "v8_pool_size",
]

# V8's worker threads (concurrent compiling and garbage collection) in a Node process:
# Node starts 4 whatever the machine (`node --help`, --v8-pool-size).
V8_DEFAULT_POOL = 4
POOL_OPTION = "--v8-pool-size"


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity where the OS tells it)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def v8_pool_size(cpus: int | None = None) -> int:
    """V8 worker threads that leave a CPU to Node's main thread: ``cpus - 1``, 1 to 4.

    On the 2-CPU machines CI runners often are, V8's default 4 threads compete with the
    main thread that runs the constructs and with Python. With 1, ``cdk synth`` of the
    reference app took 6.35 s against 7.38 s (median of 5) and 23% less CPU time
    (docs/benchmarks-history.md, the eleventh session). From 5 CPUs on it is V8's own
    default.
    """
    available = usable_cpus() if cpus is None else cpus
    return max(1, min(V8_DEFAULT_POOL, available - 1))


def jsii_node_environment(
    node: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
    cpus: int | None = None,
) -> dict[str, str]:
    """The variables ``prepare_jsii_node`` sets, given ``environ`` (default ``os.environ``).

    - ``JSII_NODE``: ``node``, when it exists and ``JSII_NODE`` isn't set: the Node.js jsii
      runs (a project's own ``node_modules/.bin/node`` from the npm package ``node@22``,
      where the machine's is older and jsii prints an end-of-life banner on every run).
    - ``NODE_OPTIONS``: what it holds, plus ``--v8-pool-size`` (``v8_pool_size``), unless
      it sets one already.

    Example::

        jsii_node_environment(environ={}, cpus=2)  # {"NODE_OPTIONS": "--v8-pool-size=1"}
    """
    current = os.environ if environ is None else environ
    updates: dict[str, str] = {}
    if node is not None and "JSII_NODE" not in current and Path(node).exists():
        updates["JSII_NODE"] = str(node)
    options = current.get("NODE_OPTIONS", "")
    if not any(
        option == POOL_OPTION or option.startswith(f"{POOL_OPTION}=") for option in options.split()
    ):
        pool = f"{POOL_OPTION}={v8_pool_size(cpus)}"
        updates["NODE_OPTIONS"] = f"{options} {pool}".strip()
    return updates


def prepare_jsii_node(
    node: str | os.PathLike[str] | None = None,
    environ: MutableMapping[str, str] | None = None,
) -> dict[str, str]:
    """Set ``JSII_NODE`` and ``NODE_OPTIONS`` for jsii's Node process; return what it set.

    Call it before the first ``import aws_cdk`` (or of a module that imports it, such as
    ``cdk_sagemaker_pipelines.cdk``): jsii starts its process then, and never reads the
    variables again (so a later call changes only the processes started after it, such as
    a ``cdk synth`` run from Python). Variables you set yourself win (see
    ``jsii_node_environment``).

    Example::

        prepare_jsii_node(Path(__file__).parent / "node_modules" / ".bin" / "node")
        import aws_cdk as cdk
    """
    target = os.environ if environ is None else environ
    updates = jsii_node_environment(node, target)
    target.update(updates)
    return updates
