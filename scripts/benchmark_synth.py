#!/usr/bin/env python
"""Benchmark: ``cdk synth`` of the reference app against a minimal one-bucket app, and the suite.

Usage::

    python scripts/benchmark_synth.py [--repeat N] [--suite-runs N] [--json out.json]

Both apps are synthesized by the same CDK CLI (``node_modules/.bin/cdk``), Node 22 and
Python, with the same ``cdk.json`` feature flags; the minimal app (one ``s3.Bucket`` in one
stack) is generated into a temporary directory. Runs alternate between the two apps so
background load hits both alike; the figures are wall-clock seconds (best and median).
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
    load_before = load_average()
    app: list[float] = []
    minimal: list[float] = []
    with tempfile.TemporaryDirectory(prefix="synth-bench-") as scratch:
        base = Path(scratch)
        minimal_dir = minimal_app(base)
        synth_seconds(ROOT, base / "warm-app", env)  # warm caches (bytecode, node, assets)
        synth_seconds(minimal_dir, base / "warm-minimal", env)
        for run in range(args.repeat):
            app.append(synth_seconds(ROOT, base / f"app-{run}", env))
            minimal.append(synth_seconds(minimal_dir, base / f"minimal-{run}", env))
    suite = [suite_seconds(env) for _ in range(args.suite_runs)]
    ratio = {
        "best": min(app) / min(minimal),
        "median": statistics.median(app) / statistics.median(minimal),
    }
    figures: dict[str, object] = {
        "app": summary(app),
        "minimal": summary(minimal),
        "ratio": ratio,
        "suite": summary(suite) if suite else None,
        "load_before": load_before,
        "load_after": load_average(),
    }
    print("| | best (s) | median (s) |")
    print("|---|---:|---:|")
    print(
        f"| `cdk synth`, reference app (3 environments) | {min(app):.2f} | "
        f"{statistics.median(app):.2f} |"
    )
    print(
        f"| `cdk synth`, one-bucket app | {min(minimal):.2f} | {statistics.median(minimal):.2f} |"
    )
    print(f"| ratio | {ratio['best']:.2f}× | {ratio['median']:.2f}× |")
    if suite:
        best, median = min(suite), statistics.median(suite)
        print(f"| test suite (`scripts/run_tests.py -q`) | {best:.1f} | {median:.1f} |")
    print(f"\nload average: {load_before} before, {figures['load_after']} after")
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
