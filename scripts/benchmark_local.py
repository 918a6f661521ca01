#!/usr/bin/env python3
"""Benchmark the local runner (not a test); prints docs/benchmarks.md's "Local runner" figures.

    source scripts/env.sh && python scripts/benchmark_local.py [--repeat 3]

1. Orchestration overhead per step: chains of N trivial Processing steps (each reads the
   previous step's output and writes its own) through the runner, against the same
   scripts run directly one after another (one ``python`` process each, same files).
   The per-step figure is the slope between N=5 and N=25, so the fixed cost of a run
   (validation, records) is reported separately.
2. Two independent CPU-bound branches on 2 cores: ``max_parallel=1`` against 2.
3. The example pipeline rerun when every step it may cache is cached.
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cdk_sagemaker_pipelines.definition import (  # noqa: E402
    Code,
    ConditionEquals,
    ConditionStep,
    Image,
    PipelineDefinition,
    ProcessingInput,
    ProcessingOutput,
    ProcessingStep,
    StaticBinder,
)
from cdk_sagemaker_pipelines.local import (  # noqa: E402
    LocalConfig,
    LocalRunner,
    ResourceMap,
)
from example_project.local import local_pipeline  # noqa: E402

CODE = "s3://bench-code/scripts"
BINDER = StaticBinder(
    region="us-east-1",
    role_arn="arn:aws:iam::111122223333:role/Bench",
    default_bucket="bench-artifacts",
    code_prefix=CODE,
)
STEP_SCRIPT = """
import glob, os, sys
inputs = sorted(glob.glob(os.path.join(sys.argv[1], "*.txt")))
total = sum(int(open(p).read()) for p in inputs)
os.makedirs(sys.argv[2], exist_ok=True)
open(os.path.join(sys.argv[2], "value.txt"), "w").write(str(total + 1))
"""
BURN_SCRIPT = """
import os, sys
n = 0
for i in range(int(sys.argv[1])):
    n += i * i % 7
out = os.environ.get("OUT", "/opt/ml/processing/out")
os.makedirs(out, exist_ok=True)
open(os.path.join(out, "n.txt"), "w").write(str(n))
"""


BEST = True  # report the fastest of the repeats (least disturbed by other load), else medians


def timed(function: Callable[[], Any], repeat: int) -> float:
    """The best (or median, with --median) wall time of ``repeat`` calls."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return min(samples) if BEST else statistics.median(samples)


def chain_definition(scripts: Path, length: int) -> dict[str, Any]:
    script = scripts / "step.py"
    steps: list[ProcessingStep] = []
    for index in range(length):
        inputs = []
        if steps:
            previous = steps[-1].properties.ProcessingOutputConfig.Outputs["out"].S3Output.S3Uri
            inputs = [ProcessingInput(source=previous, destination="/opt/ml/processing/in")]
        steps.append(
            ProcessingStep(
                name=f"Step{index:02d}",
                image=Image.sklearn("1.2-1"),
                code=Code.from_asset(script),
                arguments=["/opt/ml/processing/in", "/opt/ml/processing/out"],
                inputs=inputs,
                outputs=[ProcessingOutput(output_name="out", source="/opt/ml/processing/out")],
            )
        )
    return PipelineDefinition(steps=steps).to_definition(BINDER)


def direct_chain(scripts: Path, work: Path, length: int) -> None:
    shutil.rmtree(work, ignore_errors=True)
    previous = work / "empty"
    previous.mkdir(parents=True)
    for index in range(length):
        output = work / f"out{index}"
        subprocess.run(
            [sys.executable, str(scripts / "step.py"), str(previous), str(output)], check=True
        )
        previous = output


def overhead(scripts: Path, base: Path, isolation: str, repeat: int) -> dict[str, float]:
    runner = LocalRunner(
        LocalConfig(
            root=base / f"root-{isolation}",
            resources=ResourceMap(s3={CODE: scripts}),
            isolation=isolation,
            max_parallel=1,
        )
    )
    times: dict[str, float] = {}
    for length in (5, 25):
        definition = chain_definition(scripts, length)

        def run(definition: dict[str, Any] = definition) -> None:
            result = runner.run(definition)
            assert result.succeeded, result.failure_reason

        times[f"runner{length}"] = timed(run, repeat)
        times[f"direct{length}"] = timed(
            functools.partial(direct_chain, scripts, base / "direct", length), repeat
        )
    per_step_runner = (times["runner25"] - times["runner5"]) / 20
    per_step_direct = (times["direct25"] - times["direct5"]) / 20
    return {
        **times,
        "per_step_runner": per_step_runner,
        "per_step_direct": per_step_direct,
        "overhead": per_step_runner - per_step_direct,
    }


def fixed_cost(base: Path, repeat: int) -> float:
    """A whole run of a one-step pipeline that starts no process (a Condition)."""
    condition = ConditionStep(name="Check", conditions=[ConditionEquals(left=1, right=1)])
    definition = PipelineDefinition(steps=[condition]).to_definition()
    runner = LocalRunner(LocalConfig(root=base / "root-fixed"))
    runner.run(definition)
    return timed(functools.partial(runner.run, definition), max(repeat, 10))


def parallel(scripts: Path, base: Path, repeat: int) -> dict[str, float]:
    """Two CPU-bound branches: runner with 1 and 2 slots, and the scripts run directly.

    Each round runs all four back to back, so every ratio compares runs made under the same
    background load.
    """
    burn = scripts / "burn.py"
    steps = [
        ProcessingStep(
            name=name,
            image=Image.sklearn("1.2-1"),
            code=Code.from_asset(burn),
            arguments=["12000000"],
            outputs=[ProcessingOutput(output_name="out", source="/opt/ml/processing/out")],
        )
        for name in ("Left", "Right")
    ]
    definition = PipelineDefinition(steps=steps).to_definition(BINDER)
    runners = {
        limit: LocalRunner(
            LocalConfig(
                root=base / "root-parallel",
                resources=ResourceMap(s3={CODE: scripts}),
                max_parallel=limit,
            )
        )
        for limit in (1, 2)
    }
    command = [sys.executable, str(burn), "12000000"]
    env = dict(os.environ, OUT=str(base / "burn"))

    def direct(together: bool) -> None:
        if together:
            processes = [subprocess.Popen(command, env=env) for _ in range(2)]
            for process in processes:
                process.wait()
        else:
            for _ in range(2):
                subprocess.run(command, env=env, check=True)

    rounds = []
    for _ in range(repeat):
        one = timed(functools.partial(runners[1].run, definition), 1)
        two = timed(functools.partial(runners[2].run, definition), 1)
        sequential = timed(functools.partial(direct, False), 1)
        together = timed(functools.partial(direct, True), 1)
        rounds.append((one, two, sequential, together))
    speedups = [one / two for one, two, _, _ in rounds]
    ceilings = [sequential / together for _, _, sequential, together in rounds]
    best = max(range(repeat), key=lambda index: speedups[index])
    return {
        "max_parallel=1": rounds[best][0],
        "max_parallel=2": rounds[best][1],
        "speedup": speedups[best],
        "speedup_median": statistics.median(speedups),
        "ceiling": max(ceilings),
        "ceiling_median": statistics.median(ceilings),
    }


def cached(base: Path, repeat: int) -> dict[str, float]:
    root = base / "root-example"
    runner = LocalRunner(LocalConfig(root=root))
    loaded = local_pipeline()
    start = time.perf_counter()
    first = runner.run(loaded)
    cold = time.perf_counter() - start
    assert first.succeeded, first.failure_reason
    # The example caches every job step (CacheConfig P30D): a rerun is fully cached.
    in_process = timed(lambda: runner.run(loaded), repeat)
    build = base / "example"
    subprocess.run(
        [sys.executable, "-m", "example_project.local", str(build)],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    json_file = build / "example-pipeline.json"
    smpipe = str(Path(sys.executable).parent / "smpipe")
    command = [
        smpipe,
        "run",
        str(json_file),
        "--resources",
        str(build / "example-pipeline.resources.json"),
        "--root",
        str(root),
    ]
    subprocess.run(command, check=True, capture_output=True)
    cli = timed(lambda: subprocess.run(command, check=True, capture_output=True), repeat)
    return {"cold": cold, "all_cached": in_process, "cli": cli}


def main() -> None:
    """Run the benchmarks and print the markdown section."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--median", action="store_true", help="report medians, not bests")
    args = parser.parse_args()
    global BEST
    BEST = not args.median
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="smpipe-bench-") as scratch:
        base = Path(scratch)
        scripts = base / "scripts"
        scripts.mkdir()
        (scripts / "step.py").write_text(STEP_SCRIPT)
        (scripts / "burn.py").write_text(BURN_SCRIPT)
        namespace = overhead(scripts, base, "namespace", args.repeat)
        redirect = overhead(scripts, base, "redirect", args.repeat)
        fixed = fixed_cost(base, args.repeat)
        branches = parallel(scripts, base, args.repeat)
        example = cached(base, args.repeat)
    cpu = os.cpu_count()
    python = sys.version.split()[0]
    print("## Local runner\n")
    print(
        f"`scripts/benchmark_local.py --repeat {args.repeat}` (not a test), "
        f"{'best' if BEST else 'median'} of {args.repeat} runs, {cpu} cores, Python {python}, "
        f"Linux, no Docker; load average {load_before:.2f} before, "
        f"{os.getloadavg()[0]:.2f} after.\n"
    )
    print("| Figure | Result | Target |")
    print("| --- | --- | --- |")
    print(
        f"| Orchestration overhead per step, namespace isolation | "
        f"{namespace['overhead'] * 1000:.1f} ms "
        f"(runner {namespace['per_step_runner'] * 1000:.1f} ms/step, direct "
        f"{namespace['per_step_direct'] * 1000:.1f} ms/step) | ≤ 30 ms |"
    )
    print(
        f"| Orchestration overhead per step, redirect fallback | "
        f"{redirect['overhead'] * 1000:.1f} ms "
        f"(runner {redirect['per_step_runner'] * 1000:.1f} ms/step) | ≤ 30 ms |"
    )
    print(
        f"| Fixed cost of a run: validation, parameters, records (a one-Condition pipeline) | "
        f"{fixed * 1000:.1f} ms | – |"
    )
    print(
        f"| Two independent CPU-bound branches, speedup of max_parallel=2 over 1 | "
        f"{branches['speedup']:.2f}× best ({branches['max_parallel=1']:.2f} s → "
        f"{branches['max_parallel=2']:.2f} s), {branches['speedup_median']:.2f}× median; "
        f"the same two scripts started directly together, in the same rounds: "
        f"{branches['ceiling']:.2f}× best, {branches['ceiling_median']:.2f}× median | ≥ 1.7× |"
    )
    print(
        f"| Example pipeline, fully cached rerun (Python API; first run "
        f"{example['cold']:.2f} s) | {example['all_cached']:.3f} s | ≤ 0.5 s |"
    )
    print(
        f"| Same, through `smpipe run` (a new process: imports included) | "
        f"{example['cli']:.3f} s | – |"
    )
    print()
    print(
        "Chains: 5 and 25 Processing steps, each a stdlib script reading the previous output; "
        "direct: the same scripts run one after another with the same interpreter. "
        f"Raw: runner {namespace['runner5']:.2f} s / {namespace['runner25']:.2f} s, direct "
        f"{namespace['direct5']:.2f} s / {namespace['direct25']:.2f} s."
    )


if __name__ == "__main__":
    main()
