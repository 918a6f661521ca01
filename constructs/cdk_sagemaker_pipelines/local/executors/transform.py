"""Transform steps: the model's inference handlers over the input, in a subprocess."""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...definition.entries import StepSpec
from ...definition.expressions import data_processing_path_problem
from .._errors import StepError
from .._paths import name_problem
from ..isolation import RUNTIME, Sandbox
from ..store import Located, copy_tree, extract, unpack_code
from ._base import StepContext, StepResult, require_output_written, timestamp

DRIVER = RUNTIME / "transform_driver.py"
# The content type a framework container answers in when a request names none: a batch
# transform sends the job's Accept to the last container of an inference pipeline only.
DEFAULT_ACCEPT = "SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT"
# What the SageMaker inference toolkits (scikit-learn, PyTorch, …) answer in without it.
TOOLKIT_DEFAULT_ACCEPT = "application/json"
# Where one container's responses (the next one's requests) are exchanged.
REQUESTS = "/opt/ml/transform/requests.json"
RESPONSES = "/opt/ml/transform/responses.json"
TRANSFORM_OUTPUT = "/opt/ml/transform/output"
GZIP_MAGIC = b"\x1f\x8b"
# The record types the driver filters and joins (DataProcessing).
DATA_PROCESSING_TYPES = ("text/csv", "application/json", "application/jsonlines")


@dataclass(frozen=True, slots=True)
class _ServingContainer:
    """One container of the model, as the Model step recorded it."""

    index: int
    image: str | None
    environment: dict[str, str]
    program: str
    local: Mapping[str, Any]

    def describe(self) -> str:
        """``container 1 (image …, inference.py)`` for failure reasons."""
        return f"container {self.index} (image {self.image}, {self.program})"


class TransformExecutor:
    """Runs a batch transform with a model created by a Model step (``ModelName``).

    The model's image must map to a local Python, and its container must name an
    inference script (``SAGEMAKER_PROGRAM``, from ``code=`` on the model): the script's
    ``model_fn``, ``input_fn``, ``predict_fn`` and ``output_fn`` run over each input
    file (``SplitType`` ``Line`` or ``None``), writing ``<file>.out`` under
    ``TransformOutput.S3OutputPath``.

    An inference pipeline (a model of several containers, ``InferenceExecutionConfig``
    ``Serial``, the default) runs each container's script in turn, in its own sandbox:
    every request passes through the containers in order, each container's response
    being the next one's request, in the content type it answered in. A ``Direct``
    model fails the step: a batch transform can't name the container to invoke.

    Example::

        TransformExecutor().run(spec, ctx).properties["TransformOutput"]["S3OutputPath"]
    """

    def run(self, step: StepSpec, ctx: StepContext) -> StepResult:
        """Run the transform job."""
        arguments: Mapping[str, Any] = ctx.arguments
        model_name = arguments.get("ModelName")
        record_path = ctx.settings.root / "models" / f"{model_name}.json"
        # A name from a parameter could be a path ('../x'): only a file of models/ is a model.
        if (
            not isinstance(model_name, str)
            or name_problem(model_name) is not None
            or not record_path.is_file()
        ):
            raise StepError(
                f"no local model named {model_name!r}: the local runner transforms with models "
                "created by a Model step of a local execution"
            )
        record = json.loads(record_path.read_text(encoding="utf-8"))
        model = _model_text(model_name, record)
        containers = record.get("Containers") or []
        if not record.get("PrimaryContainer") and len(containers) > 1:
            return self._run_pipeline(step, ctx, model, record)
        container = record.get("PrimaryContainer") or (containers or [{}])[0]
        local = (record.get("Local") or {}).get("Containers", [{}])[0]
        environment = {str(k): str(v) for k, v in (container.get("Environment") or {}).items()}
        program = environment.get("SAGEMAKER_PROGRAM")
        code_in_model = local.get("CodeInModel")
        if not program or not (local.get("Code") or code_in_model):
            raise _no_script(model, "the Model step code=…")
        data_processing = _check_data_processing(arguments)
        interpreter = ctx.interpreter(container.get("Image"))
        sandbox = ctx.sandbox(interpreter)
        code_path = _install_model(sandbox, local)
        transform_input = arguments.get("TransformInput") or {}
        _materialize_input(ctx, sandbox, transform_input)
        output_dir = sandbox.host_path(TRANSFORM_OUTPUT)
        output_dir.mkdir(parents=True, exist_ok=True)
        output = arguments.get("TransformOutput") or {}
        settings = _settings(sandbox, code_path, program, arguments)
        environment.update(_job_environment(arguments))
        # As the last container of an inference pipeline: the framework's default applies
        # to a request without Accept.
        settings["accept"] = output.get("Accept") or environment.get(DEFAULT_ACCEPT)
        if data_processing:
            processing = arguments.get("DataProcessing") or {}
            settings.update(
                data_processing=True,
                input_filter=processing.get("InputFilter"),
                output_filter=processing.get("OutputFilter"),
                join_source=processing.get("JoinSource"),
            )
        _run_driver(ctx, sandbox, settings, environment, what="the inference script")
        return _result(step, ctx, sandbox.take_output(TRANSFORM_OUTPUT, "the transform output"))

    def _run_pipeline(
        self, step: StepSpec, ctx: StepContext, model: str, record: Mapping[str, Any]
    ) -> StepResult:
        """A serial inference pipeline: one driver process per container, in order.

        ``model`` names the model in failure reasons (``_model_text``).
        """
        arguments: Mapping[str, Any] = ctx.arguments
        containers = record["Containers"]
        mode = (record.get("InferenceExecutionConfig") or {}).get("Mode") or "Serial"
        if mode == "Direct":
            raise StepError(
                f"{model} runs its {len(containers)} containers in Direct mode "
                "(InferenceExecutionConfig): every request to it must name the container it "
                "invokes (TargetContainerHostname), which a batch transform's requests can't; "
                'use Serial mode (ModelStep(inference_execution_mode="Serial"), or leave it '
                "unset) to pass each request through the containers in order, or transform "
                "with a model of the one container you mean"
            )
        locals_ = (record.get("Local") or {}).get("Containers") or []
        serving = [
            _serving_container(index, container, locals_, model)
            for index, container in enumerate(containers)
        ]
        _check_data_processing(arguments, containers=len(serving))
        transform_input = arguments.get("TransformInput") or {}
        output = arguments.get("TransformOutput") or {}
        previous_responses: Path | None = None
        sandbox: Sandbox | None = None
        for item in serving:
            first, last = item.index == 0, item.index == len(serving) - 1
            try:
                interpreter = ctx.interpreter(item.image)
            except StepError as error:
                raise StepError(f"container {item.index}: {error.reason}") from None
            sandbox = ctx.sandbox(interpreter, name=f"container-{item.index}")
            code_path = _install_model(sandbox, item.local, f"{item.describe()}: ")
            settings = _settings(sandbox, code_path, item.program, arguments)
            settings["container"] = item.describe()  # names the container in the step's log
            environment = {**item.environment, **_job_environment(arguments)}
            if first:
                _materialize_input(ctx, sandbox, transform_input)
            else:
                assert previous_responses is not None
                requests = sandbox.host_path(REQUESTS)
                requests.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(previous_responses, requests)
                settings["requests"] = sandbox.visible_path(REQUESTS)
            if last:
                sandbox.host_path(TRANSFORM_OUTPUT).mkdir(parents=True, exist_ok=True)
                # The job's Accept is the client's: it reaches the last container only.
                settings["accept"] = output.get("Accept") or environment.get(DEFAULT_ACCEPT)
            else:
                settings["responses"] = sandbox.visible_path(RESPONSES)
                settings["accept"] = environment.get(DEFAULT_ACCEPT) or TOOLKIT_DEFAULT_ACCEPT
            _run_driver(
                ctx,
                sandbox,
                settings,
                environment,
                what=f"the inference script of {item.describe()}",
            )
            # The script runs in the driver's process: what it left there is what is read.
            previous_responses = sandbox.take_output(
                RESPONSES, f"the responses of {item.describe()}"
            )
        assert sandbox is not None
        return _result(step, ctx, sandbox.take_output(TRANSFORM_OUTPUT, "the transform output"))


def _no_script(subject: str, fix: str) -> StepError:
    return StepError(
        f"{subject} has no inference script (SAGEMAKER_PROGRAM and SAGEMAKER_SUBMIT_DIRECTORY): "
        "the local runner runs the framework's script handlers (model_fn, input_fn, "
        f"predict_fn, output_fn), not a serving image; give {fix}"
    )


def _model_text(model_name: str, record: Mapping[str, Any]) -> str:
    """``the model of step 'CreateModel' (pipelines-…)``: its name alone says little.

    A record written before the step was recorded has the model's name only.
    """
    step = (record.get("Local") or {}).get("Step")
    if isinstance(step, str):
        return f"the model of step '{step}' ({model_name})"
    return f"model {model_name}"


def _serving_container(
    index: int, container: Mapping[str, Any], locals_: list[Any], model: str
) -> _ServingContainer:
    """A container of an inference pipeline, checked to have an inference script."""
    image = container.get("Image")
    environment = {str(k): str(v) for k, v in (container.get("Environment") or {}).items()}
    program = environment.get("SAGEMAKER_PROGRAM")
    local = locals_[index] if index < len(locals_) else {}
    if not program or not (local.get("Code") or local.get("CodeInModel")):
        raise _no_script(f"{model}: container {index} (image {image})", "the Container code=…")
    return _ServingContainer(
        index=index,
        image=image if isinstance(image, str) else None,
        environment=environment,
        program=program,
        local=local,
    )


def _check_data_processing(arguments: Mapping[str, Any], *, containers: int = 1) -> bool:
    """Refuse, before any container runs, what the local driver can't do as the service does.

    True when the job filters or joins its records (``DataProcessing`` other than the
    defaults), which the driver then does per record.
    """
    transform_input = arguments.get("TransformInput") or {}
    split_type = transform_input.get("SplitType") or "None"
    if split_type not in ("None", "Line"):
        # Not the script's fault: say so before its container runs, not as its failure.
        raise StepError(
            f"TransformInput.SplitType {split_type} is not supported locally (Line or None): "
            "the runner doesn't read RecordIO or TFRecord framing; transform a copy of the "
            'data as lines (split_type="Line") to test the pipeline locally'
        )
    data_processing = arguments.get("DataProcessing") or {}
    given = {
        key: value for key, value in data_processing.items() if value not in (None, "$", "None")
    }
    if not given:
        return False
    text = ", ".join(f"{key} {value!r}" for key, value in given.items())
    if containers > 1:
        raise StepError(
            f"DataProcessing ({text}) is not supported locally through an inference pipeline "
            f"of {containers} containers: the runner filters and joins the records of a "
            "one-container model only; test the filters with a model of one container"
        )
    output = arguments.get("TransformOutput") or {}
    content_type = transform_input.get("ContentType") or "text/csv"
    # The guide: "You can use input files in JSON and CSV format only."
    for field, value in (
        ("TransformInput.ContentType", content_type),
        ("TransformOutput.Accept", output.get("Accept") or content_type),
    ):
        if str(value).split(";")[0].strip() not in DATA_PROCESSING_TYPES:
            raise StepError(
                f"DataProcessing ({text}) needs CSV or JSON records, but {field} is {value}: "
                f"the runner filters and joins {', '.join(DATA_PROCESSING_TYPES)}"
            )
    csv = str(content_type).split(";")[0].strip().lower() == "text/csv"  # as the driver reads
    for key in ("InputFilter", "OutputFilter"):
        path = data_processing.get(key)
        problem = data_processing_path_problem(path, csv=csv) if isinstance(path, str) else None
        if problem is not None:  # a definition written by hand, not validated
            raise StepError(f"DataProcessing.{key}: {problem}")
    return True


def _install_model(sandbox: Sandbox, local: Mapping[str, Any], where: str = "") -> str:
    """Extract the model data to ``/opt/ml/model`` and place the code; the code's path.

    ``where`` prefixes failure reasons (``container 1 (…): ``).
    """
    model_dir = sandbox.host_path("/opt/ml/model")
    model_dir.mkdir(parents=True, exist_ok=True)
    data = Path(local["ModelData"]) if local.get("ModelData") else None
    if data is not None and data.is_dir():
        copy_tree(data, model_dir, f"{where}ModelDataSource")  # uncompressed: files as they are
    elif data is not None and local.get("ModelDataUncompressed"):
        shutil.copyfile(data, model_dir / data.name)  # one uncompressed object (S3Object)
    elif data is not None:
        try:
            extract(data, model_dir)
        except StepError as error:
            raise StepError(f"{where}ModelDataUrl: {error.reason}") from None
    code_in_model = local.get("CodeInModel")
    if code_in_model:
        return f"/opt/ml/model/{code_in_model}"  # unpacked with the model data
    code_path = "/opt/ml/model/code"
    code = local["Code"]
    unpack_code(
        Located(code["Uri"], code["Kind"], Path(code["Path"]), "model code"),
        sandbox.host_path(code_path),
        f"{where}model code",
    )
    return code_path


def _materialize_input(
    ctx: StepContext, sandbox: Sandbox, transform_input: Mapping[str, Any]
) -> None:
    source = (transform_input.get("DataSource") or {}).get("S3DataSource") or {}
    if source.get("S3DataType", "S3Prefix") != "S3Prefix":
        raise StepError(f"TransformInput: S3DataType {source.get('S3DataType')} unsupported")
    input_dir = sandbox.host_path("/opt/ml/transform/input")
    ctx.store.materialize(str(source.get("S3Uri")), input_dir, "TransformInput")
    if transform_input.get("CompressionType") == "Gzip":
        # Checked here so that plain data is named as such, not as the script's failure.
        for path in sorted(input_dir.rglob("*")):
            if path.is_file() and _head(path, len(GZIP_MAGIC)) != GZIP_MAGIC:
                raise StepError(
                    f"TransformInput: CompressionType is Gzip but "
                    f"{path.relative_to(input_dir).as_posix()} is not gzip-compressed; "
                    "gzip the input objects, or leave compression_type unset for plain ones"
                )


def _head(path: Path, size: int) -> bytes:
    with path.open("rb") as handle:
        return handle.read(size)


def _settings(
    sandbox: Sandbox, code_path: str, program: str, arguments: Mapping[str, Any]
) -> dict[str, Any]:
    """The driver's settings, but ``accept`` (which depends on the container's place)."""
    transform_input = arguments.get("TransformInput") or {}
    output = arguments.get("TransformOutput") or {}
    visible = sandbox.visible_path
    return {
        "code_dir": visible(code_path),
        "program": program,
        "model_dir": visible("/opt/ml/model"),
        "input_dir": visible("/opt/ml/transform/input"),
        "output_dir": visible(TRANSFORM_OUTPUT),
        "content_type": transform_input.get("ContentType"),
        "accept": None,
        "split_type": transform_input.get("SplitType", "None"),
        "compression_type": transform_input.get("CompressionType", "None"),
        "assemble_with": output.get("AssembleWith", "None"),
        "strategy": arguments.get("BatchStrategy", "MultiRecord"),
        "max_payload_mb": arguments.get("MaxPayloadInMB", 6),
    }


def _job_environment(arguments: Mapping[str, Any]) -> dict[str, str]:
    """The transform job's ``Environment``, set in every container."""
    return {str(k): str(v) for k, v in (arguments.get("Environment") or {}).items()}


def _run_driver(
    ctx: StepContext,
    sandbox: Sandbox,
    settings: Mapping[str, Any],
    environment: Mapping[str, str],
    *,
    what: str,
) -> None:
    settings_file = sandbox.host_path("/opt/ml/transform/settings.json")
    settings_file.parent.mkdir(parents=True, exist_ok=True)
    settings_file.write_text(json.dumps(settings))
    driver = sandbox.host_path("/opt/ml/transform/driver.py")
    driver.write_text(DRIVER.read_text(encoding="utf-8"), encoding="utf-8")
    visible = sandbox.visible_path
    ctx.run_process(
        sandbox,
        [
            sandbox.interpreter,
            visible("/opt/ml/transform/driver.py"),
            visible("/opt/ml/transform/settings.json"),
        ],
        env=environment,
        cwd="/opt/ml/model",
        timeout=None,
        what=what,
    )


def _result(step: StepSpec, ctx: StepContext, output_dir: Path) -> StepResult:
    """Publish the output directory as ``TransformOutput.S3OutputPath``."""
    arguments: Mapping[str, Any] = ctx.arguments
    require_output_written(
        output_dir, strict=True, step=step.name, description="the transform output"
    )
    target = ctx.staging / "transform"
    target.parent.mkdir(parents=True, exist_ok=True)
    output_dir.rename(target)
    output = arguments.get("TransformOutput") or {}
    uri = str(output.get("S3OutputPath"))
    arn = ctx.arn("transform-job")
    now = timestamp(ctx.now())
    properties = dict(arguments)
    properties.update(
        TransformJobName=ctx.job_name,
        TransformJobArn=arn,
        TransformJobStatus="Completed",
        CreationTime=now,
        TransformStartTime=now,
        TransformEndTime=now,
    )
    return StepResult(
        properties=properties,
        outputs={uri: target},
        output_names={uri: "transform"},
        metadata={"TransformJob": {"Arn": arn}},
    )
