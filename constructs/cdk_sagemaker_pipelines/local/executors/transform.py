"""Transform steps: the model's inference handlers over the input, in a subprocess."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._errors import StepError
from .._graph import StepSpec
from ..isolation import RUNTIME
from ..store import Located, extract, unpack_code
from ._base import StepContext, StepResult, require_output_written, timestamp

DRIVER = RUNTIME / "transform_driver.py"


class TransformExecutor:
    """Runs a batch transform with a model created by a Model step (``ModelName``).

    The model's image must map to a local Python, and its container must name an
    inference script (``SAGEMAKER_PROGRAM``, from ``code=`` on the model): the script's
    ``model_fn``, ``input_fn``, ``predict_fn`` and ``output_fn`` run over each input
    file (``SplitType`` ``Line`` or ``None``), writing ``<file>.out`` under
    ``TransformOutput.S3OutputPath``.

    Example::

        TransformExecutor().run(spec, ctx).properties["TransformOutput"]["S3OutputPath"]
    """

    def run(self, step: StepSpec, ctx: StepContext) -> StepResult:
        """Run the transform job."""
        arguments: Mapping[str, Any] = ctx.arguments
        model_name = arguments.get("ModelName")
        record_path = ctx.settings.root / "models" / f"{model_name}.json"
        if not isinstance(model_name, str) or not record_path.is_file():
            raise StepError(
                f"no local model named {model_name!r}: the local runner transforms with models "
                "created by a Model step of a local execution"
            )
        record = json.loads(record_path.read_text(encoding="utf-8"))
        containers = record.get("Containers") or []
        if not record.get("PrimaryContainer") and len(containers) > 1:
            # A serial inference pipeline passes each container's response to the next one:
            # the local driver runs one container's handlers.
            raise StepError(
                f"model {model_name} is an inference pipeline of {len(containers)} containers "
                "(ModelStep containers=): the local runner transforms with models of one "
                "container only; run this step in SageMaker, or give the local pipeline a "
                "ModelStep of one container"
            )
        container = record.get("PrimaryContainer") or (containers or [{}])[0]
        local = (record.get("Local") or {}).get("Containers", [{}])[0]
        environment = {str(k): str(v) for k, v in (container.get("Environment") or {}).items()}
        program = environment.get("SAGEMAKER_PROGRAM")
        code_in_model = local.get("CodeInModel")
        if not program or not (local.get("Code") or code_in_model):
            raise StepError(
                f"model {model_name} has no inference script (SAGEMAKER_PROGRAM and "
                "SAGEMAKER_SUBMIT_DIRECTORY): the local runner runs the framework's script "
                "handlers (model_fn, input_fn, predict_fn, output_fn), not a serving image; "
                "give the Model step code=…"
            )
        data_processing = arguments.get("DataProcessing") or {}
        unsupported = {
            key: value for key, value in data_processing.items() if value not in (None, "$", "None")
        }
        if unsupported:
            raise StepError(
                f"DataProcessing {unsupported} is not supported locally (only the defaults)"
            )
        interpreter = ctx.interpreter(container.get("Image"))
        sandbox = ctx.sandbox(interpreter)
        model_dir = sandbox.host_path("/opt/ml/model")
        model_dir.mkdir(parents=True, exist_ok=True)
        if local.get("ModelData"):
            extract(Path(local["ModelData"]), model_dir)
        code_path = "/opt/ml/model/code"
        if code_in_model:
            code_path = f"/opt/ml/model/{code_in_model}"  # unpacked with the model data
        else:
            code = local["Code"]
            code_dir = sandbox.host_path(code_path)
            unpack_code(
                Located(code["Uri"], code["Kind"], Path(code["Path"]), "model code"), code_dir
            )
        transform_input = arguments.get("TransformInput") or {}
        source = (transform_input.get("DataSource") or {}).get("S3DataSource") or {}
        if source.get("S3DataType", "S3Prefix") != "S3Prefix":
            raise StepError(f"TransformInput: S3DataType {source.get('S3DataType')} unsupported")
        input_dir = sandbox.host_path("/opt/ml/transform/input")
        ctx.store.materialize(str(source.get("S3Uri")), input_dir, "TransformInput")
        output_dir = sandbox.host_path("/opt/ml/transform/output")
        output_dir.mkdir(parents=True, exist_ok=True)
        output = arguments.get("TransformOutput") or {}
        visible = sandbox.visible_path
        settings = {
            "code_dir": visible(code_path),
            "program": program,
            "model_dir": visible("/opt/ml/model"),
            "input_dir": visible("/opt/ml/transform/input"),
            "output_dir": visible("/opt/ml/transform/output"),
            "content_type": transform_input.get("ContentType"),
            "accept": output.get("Accept"),
            "split_type": transform_input.get("SplitType", "None"),
            "assemble_with": output.get("AssembleWith", "None"),
            "strategy": arguments.get("BatchStrategy", "MultiRecord"),
            "max_payload_mb": arguments.get("MaxPayloadInMB", 6),
        }
        settings_file = sandbox.host_path("/opt/ml/transform/settings.json")
        settings_file.write_text(json.dumps(settings))
        driver = sandbox.host_path("/opt/ml/transform/driver.py")
        driver.write_text(DRIVER.read_text(encoding="utf-8"), encoding="utf-8")
        environment.update({k: str(v) for k, v in (arguments.get("Environment") or {}).items()})
        ctx.run_process(
            sandbox,
            [
                interpreter,
                visible("/opt/ml/transform/driver.py"),
                visible("/opt/ml/transform/settings.json"),
            ],
            env=environment,
            cwd="/opt/ml/model",
            timeout=None,
            what="the inference script",
        )
        require_output_written(
            output_dir, strict=True, step=step.name, description="the transform output"
        )
        target = ctx.staging / "transform"
        target.parent.mkdir(parents=True, exist_ok=True)
        output_dir.rename(target)
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
