"""The Node.js environment the app and the tests give jsii (no jsii started here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdk_sagemaker_pipelines.jsii_node import (
    jsii_node_environment,
    prepare_jsii_node,
    usable_cpus,
    v8_pool_size,
)


@pytest.mark.parametrize(("cpus", "pool"), [(1, 1), (2, 1), (3, 2), (4, 3), (5, 4), (64, 4)])
def test_v8_keeps_a_cpu_for_the_main_thread_up_to_its_default(cpus: int, pool: int) -> None:
    assert v8_pool_size(cpus) == pool


def test_the_pool_follows_the_cpus_this_process_may_use() -> None:
    assert v8_pool_size() == max(1, min(4, usable_cpus() - 1))


def test_sets_the_projects_node_and_the_pool(tmp_path: Path) -> None:
    node = tmp_path / "node"
    node.touch()
    assert jsii_node_environment(node, {}, cpus=2) == {
        "JSII_NODE": str(node),
        "NODE_OPTIONS": "--v8-pool-size=1",
    }


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        # Options of the user's are kept, the pool added.
        (
            {"NODE_OPTIONS": "--max-old-space-size=8192"},
            "--max-old-space-size=8192 --v8-pool-size=3",
        ),
        # A pool size of the user's, in either spelling, wins.
        ({"NODE_OPTIONS": "--v8-pool-size=8"}, None),
        ({"NODE_OPTIONS": "--v8-pool-size 8"}, None),
        ({"NODE_OPTIONS": ""}, "--v8-pool-size=3"),
    ],
)
def test_node_options_of_the_users_are_kept(environ: dict[str, str], expected: str | None) -> None:
    assert jsii_node_environment(None, environ, cpus=4).get("NODE_OPTIONS") == expected


def test_a_node_set_already_or_missing_is_left_alone(tmp_path: Path) -> None:
    node = tmp_path / "node"
    node.touch()
    assert "JSII_NODE" not in jsii_node_environment(node, {"JSII_NODE": "/usr/bin/node"})
    assert "JSII_NODE" not in jsii_node_environment(tmp_path / "missing", {})


def test_prepare_updates_the_environment_and_says_what_it_set(tmp_path: Path) -> None:
    node = tmp_path / "node"
    node.touch()
    environ = {"PATH": "/usr/bin"}
    updates = prepare_jsii_node(node, environ)
    assert environ == {"PATH": "/usr/bin", **updates}
    assert updates["JSII_NODE"] == str(node)
    assert prepare_jsii_node(node, environ) == {}  # nothing left to set
