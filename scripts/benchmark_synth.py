#!/usr/bin/env python
"""Benchmark: ``cdk synth`` of the reference app against a minimal one-bucket app, and the suite.

Usage::

    python scripts/benchmark_synth.py [--repeat N] [--suite-runs N] [--json out.json]

Both apps are synthesized by the same CDK CLI (``node_modules/.bin/cdk``), Node 22 and
Python, with the same ``cdk.json`` feature flags; the minimal app (one ``s3.Bucket`` in one
stack) is generated into a temporary directory. Each app runs twice per round: with V8's
default worker pool (4 threads, what a plain CDK app gets) and with the pool ``app.py``
gives jsii (``prepare_jsii_node``: one less than the CPUs, 1 to 4), so each ratio compares
like with like. Runs alternate so background load hits all alike; the figures are
wall-clock seconds (best and median).
``--suite-runs`` times the whole test suite as CI runs it: ``scripts/run_tests.py -q``, the
``tests/cdk`` session beside the session of the other tests.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "constructs"))

from cdk_sagemaker_pipelines.jsii_node import V8_DEFAULT_POOL, v8_pool_size  # noqa: E402

VARIANTS = {
    "app": "`cdk synth`, reference app as shipped (V8 pool capped to the CPUs)",
    "app_default": "`cdk synth`, reference app, V8's default pool",
    "minimal": "`cdk synth`, one-bucket app (V8's default pool)",
    "minimal_tuned": "`cdk synth`, one-bucket app, V8 pool capped as the reference app's",
}
MINIMAL_APP = """\
import aws_cdk as cdk
from aws_cdk import aws_s3 as s3

app = cdk.App()
stack = cdk.Stack(app, "Minimal")
s3.Bucket(stack, "Bucket")
app.synth()
"""


def environment() -> dict[str, str]:
    """The project's tools first on PATH, Node 22 for jsii, bytecode caching on."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join(
        [str(ROOT / "node_modules" / ".bin"), str(ROOT / ".venv" / "bin"), env.get("PATH", "")]
    )
    env["JSII_NODE"] = str(ROOT / "node_modules" / ".bin" / "node")
    env["CDK_DISABLE_VERSION_CHECK"] = "1"
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def minimal_app(directory: Path) -> Path:
    """Write the one-bucket app with the reference app's feature flags."""
    config = json.loads((ROOT / "cdk.json").read_text())
    config["context"].pop("environments", None)
    config["app"] = f"{ROOT / '.venv' / 'bin' / 'python'} app.py"
    (directory / "cdk.json").write_text(json.dumps(config, indent=2))
    (directory / "app.py").write_text(MINIMAL_APP)
    return directory


def synth_seconds(app_dir: Path, outdir: Path, env: dict[str, str]) -> float:
    """Wall time of one ``cdk synth --quiet`` (fails loudly if synth fails)."""
    cdk = str(ROOT / "node_modules" / ".bin" / "cdk")
    started = time.perf_counter()
    subprocess.run(
        [cdk, "synth", "--quiet", "--output", str(outdir)],
        cwd=app_dir,
        env=env,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def suite_seconds(env: dict[str, str]) -> float:
    """Wall time of the whole test suite, as ``scripts/test.sh`` runs it (two sessions)."""
    started = time.perf_counter()
    run = subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "python"),
            str(ROOT / "scripts" / "run_tests.py"),
            "-q",
            "-p",
            "no:cacheprovider",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    if run.returncode != 0:  # a timing of a failing suite means nothing: show why
        sys.exit(f"the test suite failed (exit {run.returncode}):\n{run.stdout}{run.stderr}")
    return elapsed


def summary(samples: Sequence[float]) -> dict[str, float]:
    """Best and median."""
    return {"best": min(samples), "median": statistics.median(samples)}


def load_average() -> str:
    """The 1-minute load average, to judge how noisy a run was."""
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "n/a"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=5, help="synths per app")
    parser.add_argument("--suite-runs", type=int, default=1, help="test suite runs (0: skip)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args(argv)
    env = environment()
    # app.py caps V8's worker threads to the CPUs (prepare_jsii_node): "tuned". V8's own
    # default (4 threads) is what a plain CDK app gets: "default". Each app runs both ways,
    # so the ratios compare like with like.
    tuned = {**env, "NODE_OPTIONS": f"--v8-pool-size={v8_pool_size()}"}
    default = {**env, "NODE_OPTIONS": f"--v8-pool-size={V8_DEFAULT_POOL}"}
    load_before = load_average()
    samples: dict[str, list[float]] = {name: [] for name in VARIANTS}
    with tempfile.TemporaryDirectory(prefix="synth-bench-") as scratch:
        base = Path(scratch)
        minimal_dir = minimal_app(base)
        runs = {
            "app": (ROOT, tuned),
            "app_default": (ROOT, default),
            "minimal": (minimal_dir, default),
            "minimal_tuned": (minimal_dir, tuned),
        }
        for name, (directory, variables) in runs.items():  # warm caches (bytecode, assets)
            synth_seconds(directory, base / f"warm-{name}", variables)
        for run in range(args.repeat):
            for name, (directory, variables) in runs.items():
                samples[name].append(synth_seconds(directory, base / f"{name}-{run}", variables))
    suite = [suite_seconds(env) for _ in range(args.suite_runs)]

    def ratio(app: str, minimal: str) -> dict[str, float]:
        return {
            "best": min(samples[app]) / min(samples[minimal]),
            "median": statistics.median(samples[app]) / statistics.median(samples[minimal]),
        }

    ratios = {
        "default": ratio("app_default", "minimal"),
        "tuned": ratio("app", "minimal_tuned"),
    }
    figures: dict[str, object] = {
        **{name: summary(values) for name, values in samples.items()},
        "ratio": ratios["default"],
        "ratio_tuned": ratios["tuned"],
        "v8_pool_size": v8_pool_size(),
        "suite": summary(suite) if suite else None,
        "load_before": load_before,
        "load_after": load_average(),
    }
    print("| | best (s) | median (s) |")
    print("|---|---:|---:|")
    for name, label in VARIANTS.items():
        values = samples[name]
        print(f"| {label} | {min(values):.2f} | {statistics.median(values):.2f} |")
    for name, label in (
        ("default", "ratio, both at V8's default pool"),
        ("tuned", f"ratio, both with --v8-pool-size={v8_pool_size()}"),
    ):
        print(f"| {label} | {ratios[name]['best']:.2f}× | {ratios[name]['median']:.2f}× |")
    if suite:
        best, median = min(suite), statistics.median(suite)
        print(f"| test suite (`scripts/run_tests.py -q`) | {best:.1f} | {median:.1f} |")
    print(f"\nload average: {load_before} before, {figures['load_after']} after")
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
