#!/usr/bin/env python
"""Benchmark: compile and validate pipelines of 10, 100 and 300 steps, and the SDK on the same DAG.

Usage::

    python scripts/benchmark_definition.py [--sdk-python /tmp/sdk-venv/bin/python]
                                           [--repeat N] [--warm N] [--sizes 10 100 300]
                                           [--json out.json]

Every measurement runs in fresh interpreters (``--repeat`` of them per tool and size),
after one untimed warm-up interpreter per tool, with bytecode caching on
(``PYTHONDONTWRITEBYTECODE`` is removed from the children's environment), as a user has it.
Each interpreter measures, in this order:

- ours: the import of ``cdk_sagemaker_pipelines.definition`` (in an interpreter that has
  imported nothing else but ``time``), the one-time load of botocore's SageMaker model
  (``_service_model.shapes()``), building the step objects, the first
  ``PipelineDefinition.to_definition(StaticBinder(...))`` (compile + validate) and
  ``--warm`` more calls;
- the SDK (``--sdk-python``, a separate environment with ``sagemaker`` v2): the import of
  the SDK modules, creating a ``PipelineSession``, building the step objects, the first
  ``Pipeline.definition()`` and ``--warm`` more calls. The SDK script is generated into a
  temporary file. It runs offline: placeholder credentials, region, role and bucket;
  every socket connection and every botocore API call is refused and recorded, and the
  run fails if there was any. Two patches keep the SDK from calling AWS: its telemetry
  sender is replaced by a no-op (it would call STS, then S3, on ``estimator.fit()``), and
  the session's default bucket is pre-set (``session._default_bucket``) so the SDK does
  not ask S3 whether the bucket exists. Opting out of telemetry through
  ``sagemaker_config`` instead would make the SDK re-validate that config against its
  JSON schema at every config lookup (seconds per step), which users without a config
  file never pay.

The DAG: ``steps // 6`` chains Preprocess (Processing) → Train (Training) → Evaluate
(Processing writing ``evaluation.json``, a PropertyFile) → Check (Condition,
``JsonGet(accuracy) >= AccuracyThreshold``) → Register (RegisterModel) / else TooLow (Fail),
plus ``steps % 6`` Explain (Processing) steps reading a trained model; five parameters.
Both definitions are checked to have the same number of steps of each type.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cdk_sagemaker_pipelines.definition import PipelineDefinition

SIZES = (10, 100, 300)
CHAIN = ("Processing", "Training", "Processing", "Condition", "RegisterModel", "Fail")
REGION = "us-east-1"
ROLE = "arn:aws:iam::111122223333:role/SageMakerExecutionRole"
BUCKET = "my-ml-bucket"
RESULT_MARKER = "BENCHMARK-RESULT "
FLOOR_KEYS = ("literal_ms", "walk_ms", "compact_dumps_ms")
SCRIPTS_DIR = Path(__file__).resolve().parent
TARGETS = {
    "speedup_per_step": 10.0,  # at least, against the SDK's Pipeline.definition()
    "compile_300_ms": 100.0,  # at most, once botocore's model is loaded
    "model_load_ms": 200.0,  # at most, lazily and once
}

# The interpreter of a worker of ours imports only `time` before timing the language's import.
OURS_BOOTSTRAP = """\
import time
_t0 = time.perf_counter()
import cdk_sagemaker_pipelines.definition
_import_s = time.perf_counter() - _t0
import sys
sys.path.insert(0, {scripts_dir!r})
import benchmark_definition
benchmark_definition.ours_worker(_import_s, int(sys.argv[1]), int(sys.argv[2]))
"""


def plan(steps: int) -> tuple[int, int]:
    """Split ``steps`` into full chains and extra Explain steps."""
    if steps < len(CHAIN):
        raise ValueError(f"need at least {len(CHAIN)} steps, got {steps}")
    return divmod(steps, len(CHAIN))


def expected_types(steps: int) -> dict[str, int]:
    """How many steps of each type the DAG of ``steps`` steps has."""
    chains, extras = plan(steps)
    counts = Counter({kind: 0 for kind in CHAIN})
    for kind in CHAIN:
        counts[kind] += chains
    counts["Processing"] += extras
    return dict(sorted(counts.items()))


def step_types(definition: dict[str, Any]) -> dict[str, int]:
    """Count the steps of a definition by type, branch steps included."""
    counts: Counter[str] = Counter()

    def walk(entries: Sequence[dict[str, Any]]) -> None:
        for entry in entries:
            counts[entry["Type"]] += 1
            if entry["Type"] == "Condition":
                walk(entry["Arguments"].get("IfSteps", []))
                walk(entry["Arguments"].get("ElseSteps", []))

    walk(definition["Steps"])
    return dict(sorted(counts.items()))


# ---------------------------------------------------------------------------------------------
# Ours
# ---------------------------------------------------------------------------------------------


def build_ours(steps: int) -> PipelineDefinition:
    """The benchmark DAG in the definition language."""
    from cdk_sagemaker_pipelines.definition import (
        Code,
        ConditionGreaterThanOrEqualTo,
        ConditionStep,
        FailStep,
        Image,
        Join,
        JsonGet,
        ParameterFloat,
        ParameterInteger,
        ParameterString,
        PipelineDefinition,
        ProcessingInput,
        ProcessingOutput,
        ProcessingStep,
        PropertyFile,
        RegisterModel,
        Step,
        TrainingStep,
    )

    chains, extras = plan(steps)
    input_data = ParameterString(name="InputData", default_value=f"s3://{BUCKET}/raw")
    processing_count = ParameterInteger(name="ProcessingInstanceCount", default_value=1)
    training_type = ParameterString(
        name="TrainingInstanceType",
        default_value="ml.m5.xlarge",
        enum_values=["ml.m5.xlarge", "ml.m5.2xlarge"],
    )
    threshold = ParameterFloat(name="AccuracyThreshold", default_value=0.9)
    approval = ParameterString(name="ModelApprovalStatus", default_value="PendingManualApproval")
    image = Image.sklearn("1.2-1")
    inference_image = Image.sklearn("1.2-1", scope="inference")
    code = f"s3://{BUCKET}/code"

    listed: list[Step] = []
    trains: list[TrainingStep] = []
    for i in range(chains):
        prep = ProcessingStep(
            name=f"Preprocess-{i}",
            image=image,
            code=Code.from_s3(f"{code}/preprocess.py"),
            instance_count=processing_count,
            inputs=[
                ProcessingInput(
                    source=Join(on="/", values=[input_data, f"segment-{i}"]),
                    destination="/opt/ml/processing/input",
                )
            ],
            outputs=[
                ProcessingOutput(output_name=name, source=f"/opt/ml/processing/{name}")
                for name in ("train", "test")
            ],
        )
        outputs = prep.properties.ProcessingOutputConfig.Outputs
        train = TrainingStep(
            name=f"Train-{i}",
            image=image,
            code=Code.from_s3(f"{code}/train.tar.gz", entry_point="train.py"),
            instance_type=training_type,
            inputs={"train": outputs["train"].S3Output.S3Uri},
            hyperparameters={"n_estimators": 100, "segment": i},
        )
        report = PropertyFile(
            name="EvaluationReport", output_name="evaluation", path="evaluation.json"
        )
        evaluate = ProcessingStep(
            name=f"Evaluate-{i}",
            image=image,
            code=Code.from_s3(f"{code}/evaluate.py"),
            inputs=[
                ProcessingInput(
                    source=train.properties.ModelArtifacts.S3ModelArtifacts,
                    destination="/opt/ml/processing/model",
                ),
                ProcessingInput(
                    source=outputs["test"].S3Output.S3Uri, destination="/opt/ml/processing/test"
                ),
            ],
            outputs=[
                ProcessingOutput(output_name="evaluation", source="/opt/ml/processing/evaluation")
            ],
            property_files=[report],
        )
        register = RegisterModel(
            name=f"Register-{i}",
            model_package_group_name=f"segment-{i}-models",
            image=inference_image,
            model_data=train.properties.ModelArtifacts.S3ModelArtifacts,
            inference_instances=["ml.m5.large"],
            approval_status=approval,
        )
        check = ConditionStep(
            name=f"Check-{i}",
            conditions=[
                ConditionGreaterThanOrEqualTo(
                    left=JsonGet(
                        step=evaluate, property_file=report, json_path="metrics.accuracy.value"
                    ),
                    right=threshold,
                )
            ],
            if_steps=[register],
            else_steps=[
                FailStep(
                    name=f"TooLow-{i}",
                    error_message=Join(on=" ", values=[f"segment {i}: accuracy below", threshold]),
                )
            ],
        )
        listed += [prep, train, evaluate, check]
        trains.append(train)
    for j in range(extras):
        listed.append(
            ProcessingStep(
                name=f"Explain-{j}",
                image=image,
                code=Code.from_s3(f"{code}/explain.py"),
                inputs=[
                    ProcessingInput(
                        source=trains[j % chains].properties.ModelArtifacts.S3ModelArtifacts,
                        destination="/opt/ml/processing/model",
                    )
                ],
                outputs=[
                    ProcessingOutput(output_name="report", source="/opt/ml/processing/report")
                ],
            )
        )
    return PipelineDefinition(
        parameters=[input_data, processing_count, training_type, threshold, approval],
        steps=listed,
    )


def _timed(function: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = function()
    return (time.perf_counter() - start) * 1000, value


def ours_worker(import_s: float, steps: int, warm: int) -> None:
    """Measure one fresh interpreter of ours; print the result as one JSON line."""
    from cdk_sagemaker_pipelines.definition import StaticBinder, _service_model

    lazy = _service_model.service_model.cache_info().currsize == 0
    load_ms, _ = _timed(_service_model.shapes)
    build_ms, pipeline = _timed(lambda: build_ours(steps))
    binder = StaticBinder(region=REGION, role_arn=ROLE, default_bucket=BUCKET)
    first_ms, definition = _timed(lambda: pipeline.to_definition(binder))
    warm_ms = [_timed(lambda: pipeline.to_definition(binder))[0] for _ in range(warm)]
    dumps_ms, text = _timed(lambda: json.dumps(definition))
    floor = floor_samples(definition, warm)
    cache = _service_model.service_model.cache_info()
    result = {
        "import_ms": import_s * 1000,
        "model_load_ms": load_ms,
        "build_ms": build_ms,
        "first_ms": first_ms,
        "warm_ms": warm_ms,
        "json_dumps_ms": dumps_ms,
        "definition_chars": len(text),
        "model_lazy": lazy,
        "model_loads": cache.misses,
        "model_services": cache.currsize,
        "botocore_imported": "botocore" in sys.modules,
        "step_types": step_types(definition),
        **floor,
    }
    print(RESULT_MARKER + json.dumps(result))


def floor_samples(definition: dict[str, Any], repeat: int) -> dict[str, float]:
    """What any compiler producing and size-checking this definition must spend (best, ms).

    - ``literal_ms``: creating the definition's dicts and lists from Python literals
      (generated code, compiled untimed): the least any renderer spends building them.
    - ``walk_ms``: visiting every value once, without checking anything: the least any
      validator spends looking at every field.
    - ``compact_dumps_ms``: the compact ``json.dumps`` whose length the size check compares
      with the limit.
    """
    source = f"def build():\n    return {definition!r}\n"
    namespace: dict[str, Any] = {}
    exec(compile(source, "<definition literal>", "exec"), namespace)  # our own repr, no input
    build = namespace["build"]
    if build() != definition:
        raise RuntimeError("the literal does not rebuild the definition")

    def walk(value: Any) -> None:
        kind = type(value)
        if kind is dict:
            for item in value.values():
                walk(item)
        elif kind is list:
            for item in value:
                walk(item)

    def compact() -> str:
        return json.dumps(definition, separators=(",", ":"), ensure_ascii=False)

    samples = {
        "literal_ms": build,
        "walk_ms": lambda: walk(definition),
        "compact_dumps_ms": compact,
    }
    return {
        key: min(_timed(function)[0] for _ in range(max(repeat, 1) + 1))
        for key, function in samples.items()
    }


# ---------------------------------------------------------------------------------------------
# The SageMaker SDK v2 (run in its own environment)
# ---------------------------------------------------------------------------------------------

SDK_SCRIPT = textwrap.dedent(
    '''\
    """Generated by scripts/benchmark_definition.py: the same DAG with the SageMaker SDK v2."""
    import time

    _t0 = time.perf_counter()
    import boto3
    import sagemaker
    from sagemaker.inputs import TrainingInput
    from sagemaker.model import Model
    from sagemaker.processing import ProcessingInput, ProcessingOutput
    from sagemaker.sklearn.estimator import SKLearn
    from sagemaker.sklearn.processing import SKLearnProcessor
    from sagemaker.workflow.condition_step import ConditionStep
    from sagemaker.workflow.conditions import ConditionGreaterThanOrEqualTo
    from sagemaker.workflow.fail_step import FailStep
    from sagemaker.workflow.functions import Join, JsonGet
    from sagemaker.workflow.model_step import ModelStep
    from sagemaker.workflow.parameters import ParameterFloat, ParameterInteger, ParameterString
    from sagemaker.workflow.pipeline import Pipeline
    from sagemaker.workflow.pipeline_context import PipelineSession
    from sagemaker.workflow.properties import PropertyFile
    from sagemaker.workflow.steps import ProcessingStep, TrainingStep

    IMPORT_MS = (time.perf_counter() - _t0) * 1000

    import json
    import socket
    import sys

    import botocore.client
    import sagemaker.telemetry.telemetry_logging

    REGION, ROLE, BUCKET, MARKER = {region!r}, {role!r}, {bucket!r}, {marker!r}

    # No network: refuse and record every connection and every AWS API call.
    BLOCKED = []
    _connect = socket.socket.connect


    def _guarded_connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            BLOCKED.append(f"connect {{address!r}}")
            raise OSError("network blocked by the benchmark")
        return _connect(self, address)


    def _guarded_api_call(self, operation_name, api_params):
        BLOCKED.append(f"{{self.meta.service_model.service_name}}.{{operation_name}}")
        raise RuntimeError(f"AWS call blocked by the benchmark: {{operation_name}}")


    socket.socket.connect = _guarded_connect
    # Patch: telemetry (on estimator.fit()) would call STS and then S3. Opting out through
    # sagemaker_config instead would make the SDK re-validate that config against its JSON
    # schema at every config lookup (about 0.3 s each, seconds per step), which users
    # without a config file never pay.
    sagemaker.telemetry.telemetry_logging._send_telemetry_request = lambda *args, **kwargs: None
    socket.socket.connect_ex = _guarded_connect
    botocore.client.BaseClient._make_api_call = _guarded_api_call


    def session_():
        session = PipelineSession(
            boto_session=boto3.Session(region_name=REGION), default_bucket=BUCKET
        )
        # Patch: default_bucket() otherwise asks S3 whether the bucket exists.
        session._default_bucket = BUCKET
        return session


    def build(steps, session):
        chains, extras = divmod(steps, 6)
        input_data = ParameterString(name="InputData", default_value=f"s3://{{BUCKET}}/raw")
        processing_count = ParameterInteger(name="ProcessingInstanceCount", default_value=1)
        training_type = ParameterString(
            name="TrainingInstanceType",
            default_value="ml.m5.xlarge",
            enum_values=["ml.m5.xlarge", "ml.m5.2xlarge"],
        )
        threshold = ParameterFloat(name="AccuracyThreshold", default_value=0.9)
        approval = ParameterString(
            name="ModelApprovalStatus", default_value="PendingManualApproval"
        )
        inference_image = sagemaker.image_uris.retrieve(
            "sklearn", REGION, version="1.2-1", image_scope="inference", instance_type="ml.m5.large"
        )
        code = f"s3://{{BUCKET}}/code"

        # One processor per purpose, reused by every chain (as the SDK's examples do): each
        # processor resolves its image URI when it is created, which is costly.
        prep_processor, eval_processor = (
            SKLearnProcessor(
                framework_version="1.2-1",
                role=ROLE,
                instance_type="ml.m5.large",
                instance_count=count,
                sagemaker_session=session,
            )
            for count in (processing_count, 1)
        )

        listed, trains = [], []
        for i in range(chains):
            prep = ProcessingStep(
                name=f"Preprocess-{{i}}",
                step_args=prep_processor.run(
                    code=f"{{code}}/preprocess.py",
                    inputs=[
                        ProcessingInput(
                            source=Join(on="/", values=[input_data, f"segment-{{i}}"]),
                            destination="/opt/ml/processing/input",
                        )
                    ],
                    outputs=[
                        ProcessingOutput(output_name=name, source=f"/opt/ml/processing/{{name}}")
                        for name in ("train", "test")
                    ],
                ),
            )
            outputs = prep.properties.ProcessingOutputConfig.Outputs
            estimator = SKLearn(
                entry_point="train.py",
                source_dir=f"{{code}}/train.tar.gz",
                framework_version="1.2-1",
                py_version="py3",
                role=ROLE,
                instance_type=training_type,
                instance_count=1,
                hyperparameters={{"n_estimators": 100, "segment": i}},
                sagemaker_session=session,
            )
            train = TrainingStep(
                name=f"Train-{{i}}",
                step_args=estimator.fit(
                    inputs={{"train": TrainingInput(s3_data=outputs["train"].S3Output.S3Uri)}}
                ),
            )
            report = PropertyFile(
                name="EvaluationReport", output_name="evaluation", path="evaluation.json"
            )
            evaluate = ProcessingStep(
                name=f"Evaluate-{{i}}",
                step_args=eval_processor.run(
                    code=f"{{code}}/evaluate.py",
                    inputs=[
                        ProcessingInput(
                            source=train.properties.ModelArtifacts.S3ModelArtifacts,
                            destination="/opt/ml/processing/model",
                        ),
                        ProcessingInput(
                            source=outputs["test"].S3Output.S3Uri,
                            destination="/opt/ml/processing/test",
                        ),
                    ],
                    outputs=[
                        ProcessingOutput(
                            output_name="evaluation", source="/opt/ml/processing/evaluation"
                        )
                    ],
                ),
                property_files=[report],
            )
            model = Model(
                image_uri=inference_image,
                model_data=train.properties.ModelArtifacts.S3ModelArtifacts,
                role=ROLE,
                sagemaker_session=session,
            )
            register = ModelStep(
                name=f"Register-{{i}}",
                step_args=model.register(
                    content_types=["text/csv"],
                    response_types=["text/csv"],
                    inference_instances=["ml.m5.large"],
                    model_package_group_name=f"segment-{{i}}-models",
                    approval_status=approval,
                ),
            )
            check = ConditionStep(
                name=f"Check-{{i}}",
                conditions=[
                    ConditionGreaterThanOrEqualTo(
                        left=JsonGet(
                            step_name=evaluate.name,
                            property_file=report,
                            json_path="metrics.accuracy.value",
                        ),
                        right=threshold,
                    )
                ],
                if_steps=[register],
                else_steps=[
                    FailStep(
                        name=f"TooLow-{{i}}",
                        error_message=Join(
                            on=" ", values=[f"segment {{i}}: accuracy below", threshold]
                        ),
                    )
                ],
            )
            listed += [prep, train, evaluate, check]
            trains.append(train)
        for j in range(extras):
            model_data = trains[j % chains].properties.ModelArtifacts.S3ModelArtifacts
            listed.append(
                ProcessingStep(
                    name=f"Explain-{{j}}",
                    step_args=eval_processor.run(
                        code=f"{{code}}/explain.py",
                        inputs=[
                            ProcessingInput(
                                source=model_data,
                                destination="/opt/ml/processing/model",
                            )
                        ],
                        outputs=[
                            ProcessingOutput(
                                output_name="report", source="/opt/ml/processing/report"
                            )
                        ],
                    ),
                )
            )
        return Pipeline(
            name="Benchmark",
            parameters=[input_data, processing_count, training_type, threshold, approval],
            steps=listed,
            sagemaker_session=session,
        )


    def timed(function):
        start = time.perf_counter()
        value = function()
        return (time.perf_counter() - start) * 1000, value


    def step_types(definition):
        counts = {{}}

        def walk(entries):
            for entry in entries:
                counts[entry["Type"]] = counts.get(entry["Type"], 0) + 1
                if entry["Type"] == "Condition":
                    walk(entry["Arguments"].get("IfSteps", []))
                    walk(entry["Arguments"].get("ElseSteps", []))

        walk(definition["Steps"])
        return dict(sorted(counts.items()))


    def main():
        steps, warm = int(sys.argv[1]), int(sys.argv[2])
        session_ms, session = timed(session_)
        build_ms, pipeline = timed(lambda: build(steps, session))
        first_ms, text = timed(pipeline.definition)
        warm_ms = [timed(pipeline.definition)[0] for _ in range(warm)]
        if len(sys.argv) > 3:
            with open(sys.argv[3], "w") as handle:
                handle.write(text)
        result = {{
            "sdk_version": sagemaker.__version__,
            "import_ms": IMPORT_MS,
            "session_ms": session_ms,
            "build_ms": build_ms,
            "first_ms": first_ms,
            "warm_ms": warm_ms,
            "definition_chars": len(text),
            "blocked": BLOCKED,
            "step_types": step_types(json.loads(text)),
        }}
        print(MARKER + json.dumps(result))


    main()
    '''
).format(region=REGION, role=ROLE, bucket=BUCKET, marker=RESULT_MARKER)


# ---------------------------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------------------------


def child_env() -> dict[str, str]:
    """The children's environment: bytecode caching on, placeholder AWS settings, no proxy."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key != "PYTHONDONTWRITEBYTECODE" and not key.startswith("AWS_")
    }
    env.update(
        AWS_DEFAULT_REGION=REGION,
        AWS_ACCESS_KEY_ID="AKIAIOSFODNN7EXAMPLE",
        AWS_SECRET_ACCESS_KEY="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        AWS_EC2_METADATA_DISABLED="true",
        SAGEMAKER_SUPPRESS_V2_WARNING="1",
    )
    return env


def run_child(command: Sequence[str]) -> dict[str, Any]:
    """Run one measuring interpreter and return its result line."""
    completed = subprocess.run(
        list(command), capture_output=True, text=True, env=child_env(), check=False
    )
    for line in reversed(completed.stdout.splitlines()):
        if line.startswith(RESULT_MARKER):
            return dict(json.loads(line[len(RESULT_MARKER) :]))
    raise RuntimeError(
        f"{command[0]} exited {completed.returncode} without a result:\n"
        f"{completed.stdout[-2000:]}\n{completed.stderr[-4000:]}"
    )


def ours_command(steps: int, warm: int) -> list[str]:
    """The command of one measuring interpreter of ours."""
    bootstrap = OURS_BOOTSTRAP.format(scripts_dir=str(SCRIPTS_DIR))
    return [sys.executable, "-c", bootstrap, str(steps), str(warm)]


def summarize(samples: Sequence[float]) -> dict[str, float]:
    """Best and median of ``samples`` (milliseconds)."""
    return {"best": min(samples), "median": statistics.median(samples)}


def aggregate(runs: Sequence[dict[str, Any]], keys: Sequence[str]) -> dict[str, Any]:
    """Best/median over fresh interpreters for ``keys``, and over all warm calls."""
    summary: dict[str, Any] = {key: summarize([run[key] for run in runs]) for key in keys}
    summary["warm_ms"] = summarize([value for run in runs for value in run["warm_ms"]])
    return summary


def measure(
    label: str, command: Callable[[int], list[str]], sizes: Sequence[int], repeat: int
) -> dict[int, list[dict[str, Any]]]:
    """Run ``repeat`` fresh interpreters per size, after one untimed warm-up."""
    run_child(command(sizes[0]))  # untimed: writes bytecode caches, warms the file cache
    results: dict[int, list[dict[str, Any]]] = {}
    for steps in sizes:
        results[steps] = []
        for index in range(repeat):
            print(f"  {label}: {steps} steps, run {index + 1}/{repeat}", file=sys.stderr)
            results[steps].append(run_child(command(steps)))
    return results


def fmt(value: float) -> str:
    """Milliseconds with sensible precision."""
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def pair(stats: dict[str, float]) -> str:
    """``best / median``."""
    return f"{fmt(stats['best'])} / {fmt(stats['median'])}"


def ratio(theirs: float, ours: float) -> str:
    """A speedup, to one decimal below 10."""
    value = theirs / ours
    return f"{value:.1f}×" if value < 10 else f"{value:.0f}×"


def to_json_stats(tool: dict[str, Any]) -> dict[str, float]:
    """Build + first compile, best and median (sum of medians; best of sums is unknown)."""
    return {
        "best": tool["build_ms"]["best"] + tool["first_ms"]["best"],
        "median": tool["build_ms"]["median"] + tool["first_ms"]["median"],
    }


def report(summary: dict[str, Any]) -> str:
    """The markdown tables of a summary."""
    ours, sdk, sizes = summary["ours"], summary.get("sdk"), summary["sizes"]
    lines = [
        "Compile + validate (ours: `PipelineDefinition.to_definition(StaticBinder(...))`; "
        "SDK: `Pipeline.definition()`), per pipeline in ms, best / median over "
        f"{summary['repeat']} fresh interpreters (first call) or over their "
        f"{summary['repeat'] * summary['warm']} later calls (warm):",
        "",
    ]
    header = "| Steps | Ours, first call | Ours, warm | Ours per step (µs, best) |"
    rule = "|---:|---:|---:|---:|"
    if sdk:
        header += (
            " SDK, first call | SDK, warm | SDK per step (µs, best) "
            "| Speedup, first (best / median) |"
        )
        rule += "---:|---:|---:|---:|"
    lines += [header, rule]
    for steps in sizes:
        mine = ours[str(steps)]
        row = (
            f"| {steps} | {pair(mine['first_ms'])} | {pair(mine['warm_ms'])} "
            f"| {mine['first_ms']['best'] * 1000 / steps:.0f} |"
        )
        if sdk:
            theirs = sdk[str(steps)]
            row += (
                f" {pair(theirs['first_ms'])} | {pair(theirs['warm_ms'])} "
                f"| {theirs['first_ms']['best'] * 1000 / steps:.0f} "
                f"| {ratio(theirs['first_ms']['best'], mine['first_ms']['best'])} / "
                f"{ratio(theirs['first_ms']['median'], mine['first_ms']['median'])} |"
            )
        lines.append(row)
    if sdk:
        lines += [
            "",
            "From step objects to definition JSON: building the step objects plus the first "
            "compile (ms, best / median; the SDK builds each job request in its processor, "
            "estimator and model objects):",
            "",
            "| Steps | Ours: build | Ours: build + compile | Ours per step (µs, best) | SDK: build "
            "| SDK: build + `definition()` | SDK per step (µs, best) | Speedup (best / median) |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for steps in sizes:
            mine, theirs = ours[str(steps)], sdk[str(steps)]
            ours_total, sdk_total = to_json_stats(mine), to_json_stats(theirs)
            lines.append(
                f"| {steps} | {pair(mine['build_ms'])} | {pair(ours_total)} "
                f"| {ours_total['best'] * 1000 / steps:.0f} | {pair(theirs['build_ms'])} "
                f"| {pair(sdk_total)} | {sdk_total['best'] * 1000 / steps:.0f} "
                f"| {ratio(sdk_total['best'], ours_total['best'])} / "
                f"{ratio(sdk_total['median'], ours_total['median'])} |"
            )
    lines += ["", "One-time costs per process (ms, best / median):", ""]
    header = "| Steps | Ours: import | botocore model load | whole process, in-script |"
    rule = "|---:|---:|---:|---:|"
    if sdk:
        header += " SDK: import | `PipelineSession` | whole process, in-script |"
        rule += "---:|---:|---:|"
    lines += [header, rule]
    for steps in sizes:
        mine = ours[str(steps)]
        total = sum(mine[key]["median"] for key in ("import_ms", "model_load_ms", "build_ms"))
        row = (
            f"| {steps} | {pair(mine['import_ms'])} | {pair(mine['model_load_ms'])} "
            f"| {fmt(total + mine['first_ms']['median'])} |"
        )
        if sdk:
            theirs = sdk[str(steps)]
            total = sum(theirs[key]["median"] for key in ("import_ms", "session_ms", "build_ms"))
            row += (
                f" {pair(theirs['import_ms'])} | {pair(theirs['session_ms'])} "
                f"| {fmt(total + theirs['first_ms']['median'])} |"
            )
        lines.append(row)
    lines += floor_report(summary)
    lines += [
        "",
        "(whole process, in-script: sum of the medians of import, model load or session, "
        "build and first compile; interpreter start-up excluded.)",
        "",
        f"Load average before / after: {summary['load_before']} / {summary['load_after']} "
        f"on {os.cpu_count()} CPUs.",
        "",
        "Targets:",
        "",
    ]
    lines += [f"- {'✅' if ok else '❌'} {text}" for text, ok in summary["targets"]]
    return "\n".join(lines)


def floor_report(summary: dict[str, Any]) -> list[str]:
    """The floor table: what building, visiting and size-checking the JSON alone cost."""
    ours, sdk, sizes = summary["ours"], summary.get("sdk"), summary["sizes"]
    lines = [
        "",
        "Floor: the least any compiler spends to produce and size-check this definition, "
        "with no rendering logic and no checks (ms, best / median over the interpreters' "
        "best of several calls): building its dicts from Python literals, visiting every "
        "value once, and the compact `json.dumps` of the size check.",
        "",
        "| Steps | Build from literals | Visit every value | `json.dumps` | Sum |"
        + (" 10× `definition()` budget (first call, best) | Sum / budget |" if sdk else ""),
        "|---:|---:|---:|---:|---:|" + ("---:|---:|" if sdk else ""),
    ]
    for steps in sizes:
        mine = ours[str(steps)]
        total = sum(mine[key]["best"] for key in FLOOR_KEYS)
        row = (
            f"| {steps} | {pair(mine['literal_ms'])} | {pair(mine['walk_ms'])} "
            f"| {pair(mine['compact_dumps_ms'])} | {fmt(total)} |"
        )
        if sdk:
            budget = sdk[str(steps)]["first_ms"]["best"] / TARGETS["speedup_per_step"]
            row += f" {fmt(budget)} | {total / budget:.0%} |"
        lines.append(row)
    return lines


def evaluate_targets(summary: dict[str, Any]) -> list[tuple[str, bool]]:
    """The issue's targets, each with whether it is met (by the best and the median)."""
    ours, sdk, sizes = summary["ours"], summary.get("sdk"), summary["sizes"]
    targets: list[tuple[str, bool]] = []
    if sdk:
        goal = TARGETS["speedup_per_step"]
        for label, stats in (
            ("`Pipeline.definition()`", lambda tool: tool["first_ms"]),
            ("building the step objects + `definition()`", to_json_stats),
        ):
            speedups = {
                steps: (
                    stats(sdk[str(steps)])["best"] / stats(ours[str(steps)])["best"],
                    stats(sdk[str(steps)])["median"] / stats(ours[str(steps)])["median"],
                )
                for steps in sizes
            }
            shown = ", ".join(
                f"{steps} steps {best:.1f}× / {median:.1f}×"
                for steps, (best, median) in speedups.items()
            )
            worst = min(min(pair_) for pair_ in speedups.values())
            targets.append(
                (
                    f"≥ {goal:.0f}× faster per step than the SDK's {label} "
                    f"(best / median: {shown})",
                    worst >= goal,
                )
            )
    if "300" in ours:
        first = ours["300"]["first_ms"]
        targets.append(
            (
                f"300 steps compiled and validated in ≤ {TARGETS['compile_300_ms']:.0f} ms once "
                f"botocore's model is loaded (first call, best / median: {pair(first)} ms)",
                max(first.values()) <= TARGETS["compile_300_ms"],
            )
        )
    load = {
        kind: max(ours[str(steps)]["model_load_ms"][kind] for steps in sizes)
        for kind in ("best", "median")
    }
    lazy = all(ours[str(steps)]["model_lazy"] for steps in sizes)
    once = all(ours[str(steps)]["model_loads_max"] <= 1 for steps in sizes)
    targets.append(
        (
            f"botocore's model loads in ≤ {TARGETS['model_load_ms']:.0f} ms (best / median: "
            f"{pair(load)} ms), lazily (not at import: {'yes' if lazy else 'NO'}) and once per "
            f"process ({'yes' if once else 'NO'})",
            max(load.values()) <= TARGETS["model_load_ms"] and lazy and once,
        )
    )
    return targets


def load_average() -> str:
    """The 1-minute load average, or ``n/a``."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "n/a"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print markdown tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sdk-python", help="interpreter of an environment with sagemaker v2")
    parser.add_argument("--repeat", type=int, default=5, help="fresh interpreters per size")
    parser.add_argument("--warm", type=int, default=5, help="later calls per interpreter")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument(
        "--sdk-definition-out", type=Path, help="write the SDK's definition of the last size here"
    )
    args = parser.parse_args(argv)
    sizes = list(args.sizes)
    for steps in sizes:
        plan(steps)  # rejects sizes below one chain
    load_before = load_average()

    print("measuring ours", file=sys.stderr)
    ours_runs = measure("ours", lambda steps: ours_command(steps, args.warm), sizes, args.repeat)
    keys = (
        "import_ms",
        "model_load_ms",
        "build_ms",
        "first_ms",
        "json_dumps_ms",
        *FLOOR_KEYS,
    )
    ours: dict[str, Any] = {}
    for steps, runs in ours_runs.items():
        ours[str(steps)] = aggregate(runs, keys) | {
            "model_lazy": all(run["model_lazy"] for run in runs),
            "model_loads_max": max(
                run["model_loads"] // max(run["model_services"], 1) for run in runs
            ),
            "botocore_imported": any(run["botocore_imported"] for run in runs),
            "definition_chars": runs[0]["definition_chars"],
            "step_types": runs[0]["step_types"],
        }
        if runs[0]["step_types"] != expected_types(steps):
            raise SystemExit(f"ours at {steps} steps: {runs[0]['step_types']}")

    summary: dict[str, Any] = {
        "sizes": sizes,
        "repeat": args.repeat,
        "warm": args.warm,
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "ours": ours,
    }
    if args.sdk_python:
        with tempfile.TemporaryDirectory() as folder:
            script = Path(folder) / "sdk_benchmark.py"
            script.write_text(SDK_SCRIPT)

            def sdk_command(steps: int) -> list[str]:
                command = [args.sdk_python, str(script), str(steps), str(args.warm)]
                if args.sdk_definition_out and steps == sizes[-1]:
                    command.append(str(args.sdk_definition_out))
                return command

            print("measuring the SDK", file=sys.stderr)
            sdk_runs = measure("sdk", sdk_command, sizes, args.repeat)
        sdk: dict[str, Any] = {}
        for steps, runs in sdk_runs.items():
            blocked = sorted({call for run in runs for call in run["blocked"]})
            if blocked:
                raise SystemExit(f"the SDK tried to reach the network: {blocked}")
            if runs[0]["step_types"] != ours[str(steps)]["step_types"]:
                raise SystemExit(
                    f"different DAGs at {steps} steps: SDK {runs[0]['step_types']}, "
                    f"ours {ours[str(steps)]['step_types']}"
                )
            sdk_keys = ("import_ms", "session_ms", "build_ms", "first_ms")
            sdk[str(steps)] = aggregate(runs, sdk_keys) | {
                "definition_chars": runs[0]["definition_chars"],
                "step_types": runs[0]["step_types"],
                "blocked_network_calls": 0,
            }
        summary["sdk"] = sdk
        summary["sdk_version"] = sdk_runs[sizes[0]][0]["sdk_version"]

    summary["load_before"], summary["load_after"] = load_before, load_average()
    summary["targets"] = evaluate_targets(summary)
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    print(report(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
