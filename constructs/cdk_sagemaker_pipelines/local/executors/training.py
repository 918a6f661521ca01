"""Training steps (script mode; a built-in algorithm's stood in for)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ...definition._distribution_names import (
    DATA_PARALLEL_ENABLED,
    MPI_ENABLED,
    MULTI_WORKER_MIRRORED_ENABLED,
    PARAMETER_SERVER_ENABLED,
    PYTORCH_DDP_ENABLED,
    PYTORCH_XLA_ENABLED,
    TORCH_DISTRIBUTED_ENABLED,
)
from ...definition._sdk_jobs import NOTEBOOK_ENTRYPOINT, sdk_job_kind
from ...definition.entries import StepSpec
from .._errors import StepError
from ._base import StepContext, StepResult, stopping_timeout
from ._outputs import supplied
from ._training_job import (
    NO_PROGRAM,
    instance_type_of,
    metric_list,
    run_training_job,
    single_process_world,
)
from .stand_in import no_program_hint, runs_a_program, stand_in

# Each launcher distribution= can ask for, by the hyperparameter that switches it on.
_LAUNCHERS = (
    ("torch_distributed", TORCH_DISTRIBUTED_ENABLED),
    ("mpi", MPI_ENABLED),
    ("smdistributed data parallel", DATA_PARALLEL_ENABLED),
    ("pytorchddp", PYTORCH_DDP_ENABLED),
    ("pytorchxla", PYTORCH_XLA_ENABLED),
    ("parameter server", PARAMETER_SERVER_ENABLED),
    ("multi-worker mirrored strategy", MULTI_WORKER_MIRRORED_ENABLED),
)


class TrainingExecutor:
    """Runs a script-mode training job; see ``_training_job`` for the conventions.

    Properties follow ``DescribeTrainingJob``: ``ModelArtifacts.S3ModelArtifacts`` is
    ``<S3OutputPath>/<job>/output/model.tar.gz`` and ``FinalMetricDataList`` holds the
    last value of each ``MetricDefinitions`` regex.

    A job without a program (a built-in algorithm's) can't run here: values given with
    ``--callback-output`` stand in for it (``stand_in``), else it fails saying so.

    Example::

        TrainingExecutor().run(spec, ctx).properties["ModelArtifacts"]
    """

    def run(self, step: StepSpec, ctx: StepContext) -> StepResult:
        """Run one training job."""
        arguments: Mapping[str, Any] = ctx.arguments
        kind = sdk_job_kind(arguments)
        if kind == "function":
            raise StepError(function_step_unsupported(step))
        if kind == "notebook":
            raise StepError(notebook_job_unsupported(step, arguments))
        given = supplied(ctx.settings.external_outputs, step.name)
        if given is not None:
            return stand_in(step, ctx, given)
        if runs_a_program(step.step_type, arguments) is False:
            raise StepError(NO_PROGRAM + no_program_hint(step, ctx))
        algorithm = arguments.get("AlgorithmSpecification") or {}
        output_path = str((arguments.get("OutputDataConfig") or {}).get("S3OutputPath", ""))
        resources = arguments.get("ResourceConfig") or {}
        hyperparameters = arguments.get("HyperParameters") or {}
        distributed = _distribution(hyperparameters)
        compression = (arguments.get("OutputDataConfig") or {}).get("CompressionType")
        run = run_training_job(
            ctx,
            job_name=ctx.job_name,
            algorithm=algorithm,
            hyperparameters=hyperparameters,
            channels=list(arguments.get("InputDataConfig") or []),
            output_path=output_path,
            environment=arguments.get("Environment") or {},
            timeout=stopping_timeout(arguments),
            work="sandbox",
            log=ctx.log,
            instance_type=instance_type_of(resources),
            instance_groups=list(resources.get("InstanceGroups") or []),
            checkpoint=arguments.get("CheckpointConfig"),
            compressed=compression != "NONE",
            extra_environment=single_process_world() if distributed else None,
        )
        arn = ctx.arn("training-job")
        properties = dict(arguments)
        properties.update(
            TrainingJobName=run.job_name,
            TrainingJobArn=arn,
            TrainingJobStatus="Completed",
            SecondaryStatus="Completed",
            ModelArtifacts={"S3ModelArtifacts": run.model_uri},
            FinalMetricDataList=metric_list(run.metrics, run.ended),
            CreationTime=run.started,
            TrainingStartTime=run.started,
            TrainingEndTime=run.ended,
            LastModifiedTime=run.ended,
            TrainingTimeInSeconds=max(1, round(run.seconds)),
            BillableTimeInSeconds=max(1, round(run.seconds)),
        )
        outputs: dict[str, Path] = {run.job_uri: run.job_directory}
        names = {run.job_uri: "model"}
        if run.checkpoints is not None:
            checkpoint_uri, checkpoint_folder = run.checkpoints
            outputs[checkpoint_uri] = checkpoint_folder
            names[checkpoint_uri] = "checkpoints"
        return StepResult(
            properties=properties,
            outputs=outputs,
            output_names=names,
            metadata={"TrainingJob": {"Arn": arn}},
            notes=not_reproduced(arguments, distributed),
        )


def _distribution(hyperparameters: Mapping[str, Any]) -> str | None:
    """The launcher ``distribution=`` asks for (``torch_distributed``, ``mpi``, …), if any."""
    for name, switch in _LAUNCHERS:
        value = hyperparameters.get(switch)
        if isinstance(value, str) and value.strip('"').lower() == "true":
            return name
        if value is True:
            return name
    return None


def not_reproduced(arguments: Mapping[str, Any], distribution: str | None) -> tuple[str, ...]:
    """One note of what the local run of a training job leaves out, if anything.

    The run is one process on this machine: more instances, spot capacity, a warm pool and
    a distribution's launcher only exist on SageMaker, where the script may behave
    differently (a rank's share of the data, a restart from checkpoints).
    """
    resources = arguments.get("ResourceConfig") or {}
    missing = []
    groups = resources.get("InstanceGroups")
    if isinstance(groups, list) and groups:
        counts = [group.get("InstanceCount") for group in groups if isinstance(group, Mapping)]
        total = sum(count for count in counts if isinstance(count, int))
        if total > 1:
            missing.append(f"instance count {total}→1 (its first group's first host)")
    else:
        count = resources.get("InstanceCount")
        if isinstance(count, int) and count > 1:
            missing.append(f"instance count {count}→1")
    if arguments.get("EnableManagedSpotTraining") is True:
        missing.append("spot instances (no interruption)")
    keep_alive = resources.get("KeepAlivePeriodInSeconds")
    if isinstance(keep_alive, int) and keep_alive > 0:
        missing.append("warm pool (KeepAlivePeriodInSeconds)")
    missing.extend(_pipe_channels(arguments))
    if distribution is not None:
        missing.append(
            f"the {distribution} launcher (the script ran once, as rank 0 of a world of 1: "
            "RANK, LOCAL_RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT set for it)"
        )
    if not missing:
        return ()
    return ("not reproduced locally: " + "; ".join(missing),)


def _pipe_channels(arguments: Mapping[str, Any]) -> list[str]:
    """A note for each channel in Pipe input mode, which the runner copies as in File mode.

    SageMaker streams a Pipe channel rather than copying its objects under
    ``/opt/ml/input/data/<channel>`` (the Channel API's ``InputMode``), so a script that
    lists that directory passes here and finds nothing there.
    """
    algorithm = arguments.get("AlgorithmSpecification")
    job_mode = algorithm.get("TrainingInputMode") if isinstance(algorithm, Mapping) else None
    notes = []
    for channel in arguments.get("InputDataConfig") or []:
        if not isinstance(channel, Mapping):
            continue
        mode = channel.get("InputMode", job_mode)  # a channel's own mode overrides the job's
        if mode == "Pipe":
            notes.append(
                f"Pipe input mode of channel '{channel.get('ChannelName')}' (SageMaker streams "
                "it through a named pipe, not as files under its channel directory; here its "
                "files were copied there, as in File mode)"
            )
    return notes


def function_step_unsupported(step: StepSpec) -> str:
    """Why a ``@step`` function's job can't run here, and what to do instead."""
    function = step.display_name or "the function"
    return (
        f"'{step.name}' is a @step function of the SageMaker SDK ({function}): its job runs the "
        "SDK's remote-function runtime (sagemaker_remote_function_bootstrap/job_driver.sh), "
        "which unpickles the function and its arguments from S3 in an image with the SDK, and "
        "the local runner doesn't run it. Test the function itself in Python (the decorated "
        "function's undecorated original is its __wrapped__), run the pipeline on SageMaker, "
        "or write this step as a script (a ProcessingStep or TrainingStep with code=…) to run "
        "it here"
    )


def notebook_job_unsupported(step: StepSpec, arguments: Mapping[str, Any]) -> str:
    """Why a ``NotebookJobStep``'s job can't run here, and what to do instead."""
    environment = arguments.get("Environment") or {}
    named = environment.get("SM_INPUT_NOTEBOOK_NAME")
    notebook = named if isinstance(named, str) else None
    kernel = environment.get("SM_KERNEL_NAME")
    on_kernel = f" on kernel {kernel}" if isinstance(kernel, str) else ""
    return (
        f"'{step.name}' is a NotebookJobStep of the SageMaker SDK: its job runs "
        f"{notebook or 'its notebook'}{on_kernel} with the image's {NOTEBOOK_ENTRYPOINT}, which "
        "the local runner doesn't run. Execute the notebook yourself with its parameters "
        f"(papermill {notebook or 'NOTEBOOK.ipynb'} out.ipynb -p NAME VALUE), or run the "
        "pipeline on SageMaker"
    )
