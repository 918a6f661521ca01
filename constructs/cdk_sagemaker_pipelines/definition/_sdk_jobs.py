"""Training steps the SageMaker SDK writes for ``@step`` functions and ``NotebookJobStep``.

Both are ``Training`` steps whose job runs an SDK runtime rather than a training script,
recognised by their container entry point:

- A function step (``sagemaker.workflow.function_step.step``, SDK 2.170+) runs
  ``/opt/ml/input/data/sagemaker_remote_function_bootstrap/job_driver.sh``. Its
  ``ContainerArguments`` tell the runtime where the function lives: ``--s3_base_uri``
  (``<s3_root_uri>/<pipeline name>``), ``--pipeline_step_name`` and ``--func_step_s3_dir``
  (the build's timestamp). The runtime reads the pickled function and arguments from
  ``<base>/<step>/<build>/function/`` and ``…/arguments/`` (``StoredFunction`` in
  ``sagemaker/remote_function/core/stored_function.py``), the results of the function steps
  it takes as arguments from their ``OutputDataConfig.S3OutputPath`` (named after
  ``--property_references``), writes its result under its own ``S3OutputPath``
  (``<base>/<execution id>/<step>/results``) and, when the function raises, the exception to
  ``<base>/<execution id>/<step>/exception`` (``sagemaker/remote_function/errors.py``). A Spark
  function (``spark_config=``) adds ``--jars``, ``--py-files`` and ``--files`` (comma-separated
  S3 URIs it reads) and ``--spark-event-logs-s3-uri`` (where it writes) to the entry point.
- A notebook job (``sagemaker.workflow.notebook_job_step.NotebookJobStep``) runs the image's
  ``amazon_sagemaker_scheduler`` on the notebook staged in its
  ``sagemaker_headless_execution_pipelinestep`` channel; its output is the job's own output.

No ``aws_cdk`` here: the permission planner and the local runner both read these.

Example::

    function = function_step_job(step["Arguments"])
    if function is not None:
        function.payload_uris  # ('s3://bucket/pipe/Train/2024-…/function/', '…/arguments/')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeGuard

FUNCTION_BOOTSTRAP_CHANNEL = "sagemaker_remote_function_bootstrap"
FUNCTION_JOB_DRIVER = f"{FUNCTION_BOOTSTRAP_CHANNEL}/job_driver.sh"
NOTEBOOK_CHANNEL = "sagemaker_headless_execution_pipelinestep"
NOTEBOOK_ENTRYPOINT = "amazon_sagemaker_scheduler"
# The Spark options a function's job passes to spark-submit: files read, and where event
# logs go (``_extend_spark_config_to_request`` in sagemaker/remote_function/job.py).
SPARK_READ_OPTIONS = ("--jars", "--py-files", "--files")
SPARK_EVENT_LOGS_OPTION = "--spark-event-logs-s3-uri"

SdkJobKind = Literal["function", "notebook"]


def sdk_job_kind(arguments: Any) -> SdkJobKind | None:
    """``"function"`` or ``"notebook"`` for a Training step the SDK runs its runtime in.

    Example::

        sdk_job_kind(step["Arguments"])  # "function" for a @step function's job
    """
    if not isinstance(arguments, Mapping):
        return None
    algorithm = arguments.get("AlgorithmSpecification")
    entrypoint = algorithm.get("ContainerEntrypoint") if isinstance(algorithm, Mapping) else None
    commands = [item for item in entrypoint if isinstance(item, str)] if _listed(entrypoint) else []
    if any(item.endswith(FUNCTION_JOB_DRIVER) for item in commands):
        return "function"
    if commands[:1] == [NOTEBOOK_ENTRYPOINT]:
        return "notebook"
    channels = {
        channel.get("ChannelName")
        for channel in arguments.get("InputDataConfig") or []
        if isinstance(channel, Mapping)
    }
    if FUNCTION_BOOTSTRAP_CHANNEL in channels:
        return "function"
    if NOTEBOOK_CHANNEL in channels:
        return "notebook"
    return None


@dataclass(frozen=True, slots=True)
class SdkLocation:
    """An S3 location the SDK's runtime reads or writes, and the field that names it.

    ``uri`` may be an expression (a ``Std:Join`` over the execution id).
    """

    field: str
    uri: Any
    access: Literal["read", "write"]


@dataclass(frozen=True, slots=True)
class FunctionStepJob:
    """What a ``@step`` function's job reads and writes beyond its channels and output path.

    ``property_references`` are the references the runtime resolves for the function's
    arguments (``Steps.Train.OutputDataConfig.S3OutputPath``, ``Parameters.Epochs``, …).

    Example::

        job = function_step_job(arguments)
        job.locations()  # payloads read, the exception written, Spark files
    """

    s3_base_uri: Any
    step_name: Any
    build: Any
    base_field: str
    property_references: tuple[str, ...]
    spark_locations: tuple[SdkLocation, ...]

    @property
    def payload_uris(self) -> tuple[str, ...]:
        """The pickled function's and arguments' folders; () unless all three are literals."""
        parts = (self.s3_base_uri, self.step_name, self.build)
        if not all(isinstance(part, str) and part for part in parts):
            return ()
        base = str(self.s3_base_uri).rstrip("/")
        return tuple(f"{base}/{self.step_name}/{self.build}/{kind}/" for kind in _PAYLOADS)

    def locations(self) -> list[SdkLocation]:
        """The payloads the runtime reads, the exception it writes, and Spark's files.

        A payload location that isn't a literal (an expression where the SDK writes a
        string) is returned as the base URI itself, so a caller reports it as unknown.
        """
        found: list[SdkLocation] = []
        uris = self.payload_uris
        if uris:
            found += [SdkLocation(self.base_field, uri, "read") for uri in uris]
        else:
            found.append(SdkLocation(self.base_field, self.s3_base_uri, "read"))
        if isinstance(self.step_name, str) and isinstance(self.s3_base_uri, str):
            exception = {
                "Std:Join": {
                    "On": "/",
                    "Values": [
                        self.s3_base_uri.rstrip("/"),
                        {"Get": "Execution.PipelineExecutionId"},
                        self.step_name,
                        "exception/",
                    ],
                }
            }
            found.append(SdkLocation(self.base_field, exception, "write"))
        return found + list(self.spark_locations)


_PAYLOADS = ("function", "arguments")


def function_step_job(arguments: Any) -> FunctionStepJob | None:
    """The runtime settings of a ``@step`` function's job; ``None`` for any other step.

    Example::

        function_step_job(step["Arguments"]).property_references
        # ('Execution.PipelineExecutionId', 'Steps.Preprocess.OutputDataConfig.S3OutputPath')
    """
    if sdk_job_kind(arguments) != "function":
        return None
    algorithm = arguments.get("AlgorithmSpecification") or {}
    where = "AlgorithmSpecification.ContainerArguments"
    values = algorithm.get("ContainerArguments")
    items: list[Any] = list(values) if _listed(values) else []
    options: dict[str, tuple[int, Any]] = {}
    references: list[str] = []
    index = 0
    while index < len(items):
        item = items[index]
        if item == "--property_references":
            index += 1
            # (reference, value) pairs up to the next option.
            while index < len(items) and not _is_option(items[index]):
                if isinstance(items[index], str):
                    references.append(items[index])
                index += 2
            continue
        if _is_option(item) and index + 1 < len(items):
            options.setdefault(item, (index + 1, items[index + 1]))
            index += 2
            continue
        index += 1
    base_index, base = options.get("--s3_base_uri", (0, None))
    return FunctionStepJob(
        s3_base_uri=base,
        step_name=options.get("--pipeline_step_name", (0, None))[1],
        build=options.get("--func_step_s3_dir", (0, None))[1],
        base_field=f"{where}[{base_index}]",
        property_references=tuple(references),
        spark_locations=tuple(_spark_locations(algorithm.get("ContainerEntrypoint"))),
    )


def _spark_locations(entrypoint: Any) -> list[SdkLocation]:
    """The files a Spark function's spark-submit reads and where its event logs go."""
    items: list[Any] = list(entrypoint) if _listed(entrypoint) else []
    where = "AlgorithmSpecification.ContainerEntrypoint"
    found: list[SdkLocation] = []
    for index, item in enumerate(items[:-1]):
        value = items[index + 1]
        if item in SPARK_READ_OPTIONS and isinstance(value, str):
            for uri in value.split(","):
                uri = uri.strip()
                if uri.startswith("s3a://"):
                    uri = "s3://" + uri[len("s3a://") :]
                if uri.startswith("s3://"):
                    found.append(SdkLocation(f"{where}[{index + 1}]", uri, "read"))
        elif item == SPARK_EVENT_LOGS_OPTION:
            found.append(SdkLocation(f"{where}[{index + 1}]", value, "write"))
    return found


def _is_option(item: Any) -> bool:
    return isinstance(item, str) and item.startswith("--")


def _listed(value: Any) -> TypeGuard[Sequence[Any]]:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))
