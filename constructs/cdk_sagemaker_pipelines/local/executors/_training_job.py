"""One script-mode training job, as the SageMaker training toolkit runs it.

Channels at ``/opt/ml/input/data/<channel>`` (``SM_CHANNEL_<NAME>``), the code from
``sagemaker_submit_directory`` in ``/opt/ml/code``, hyperparameters in
``/opt/ml/input/config/hyperparameters.json`` and as ``--name value`` arguments (as the
toolkit writes them: ``toolkit_arguments``),
``SM_*`` variables, ``/opt/ml/model`` packed as ``model.tar.gz`` and
``/opt/ml/output/data`` as ``output.tar.gz`` under ``<S3OutputPath>/<job>/output/``, and
``MetricDefinitions`` regexes applied to the log.

A heterogeneous cluster (``ResourceConfig.InstanceGroups``) runs as its first group's
first host: the channels of that group (all but those whose ``InstanceGroupNames`` leave
it out), and ``resourceconfig.json`` and the ``SM_*INSTANCE_GROUP*`` variables the training
toolkit derives from it naming every group, the others with no hosts. A script that forks
by ``SM_CURRENT_INSTANCE_GROUP`` runs its first group's branch only.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import tarfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...definition._channel_rules import compile_metric_regex
from .._errors import StepError
from .._paths import name_problem
from ..isolation import Sandbox
from ..store import copy_tree, extract, unpack_code
from ._base import StepContext, require_output_written, stray_writes, timestamp

# What a training container provides or collects under /opt/ml; anything else the script
# writes there is lost (named when the model directory stays empty).
_TRAINING_PATHS = (
    "/opt/ml/model",
    "/opt/ml/input",
    "/opt/ml/code",
    "/opt/ml/output/data",
    "/opt/ml/output/failure",
    "/opt/ml/checkpoints",
)

PROGRAM = "sagemaker_program"
# Hyperparameters the training toolkit keeps from the script's arguments: those starting
# with "sagemaker_", and these (SAGEMAKER_HYPERPARAMETERS of sagemaker_training/params.py).
# A tuning job adds the objective's name to each of its training jobs' hyperparameters.
TUNING_OBJECTIVE_METRIC = "_tuning_objective_metric"
_TOOLKIT_SETTINGS = frozenset({TUNING_OBJECTIVE_METRIC, "default_user_module_name"})
# The toolkit's own settings among them (SAGEMAKER_HYPERPARAMETERS); the other "sagemaker_"
# ones are the framework's, in SM_FRAMEWORK_PARAMS (sagemaker_mpi_enabled, …).
_TOOLKIT_PARAMETERS = frozenset(
    {
        "sagemaker_program",
        "sagemaker_submit_directory",
        "sagemaker_enable_cloudwatch_metrics",
        "sagemaker_region",
        "sagemaker_container_log_level",
        "sagemaker_job_name",
        "sagemaker_s3_output",
    }
)
NO_PROGRAM = (
    "no sagemaker_program hyperparameter: the local runner runs script-mode training "
    "(a framework image with code=…), not an image's own training program such as a "
    "built-in algorithm's (the SDK's XGBoost estimator without entry_point=); to run the "
    "pipeline locally, train with a script (code=…, entry_point= in the SDK) that writes "
    "the model to SM_MODEL_DIR"
)
SUBMIT_DIRECTORY = "sagemaker_submit_directory"
# Where each channel is copied: ``<CHANNELS_PATH><name>``.
CHANNELS_PATH = "/opt/ml/input/data/"
HOST = "algo-1"


def single_process_world() -> dict[str, str]:
    """The variables a launcher (torchrun, mpirun) sets, for a world of one process.

    The local run starts the script itself, once: a script that reads its rank and
    world from them runs as rank 0 of 1 instead of failing with a KeyError. The address
    is this machine's (``algo-1`` resolves only in SageMaker's network) and the port a
    free one, so ``torch.distributed.init_process_group`` can rendezvous with itself.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return {
        "RANK": "0",
        "LOCAL_RANK": "0",
        "WORLD_SIZE": "1",
        "LOCAL_WORLD_SIZE": "1",
        "MASTER_ADDR": "localhost",
        "MASTER_PORT": str(port),
        # What mpirun's Open MPI sets, for scripts that read those instead.
        "OMPI_COMM_WORLD_RANK": "0",
        "OMPI_COMM_WORLD_LOCAL_RANK": "0",
        "OMPI_COMM_WORLD_SIZE": "1",
        "OMPI_COMM_WORLD_LOCAL_SIZE": "1",
    }


# The group name the training toolkit reports for a job of one instance type.
HOMOGENEOUS_GROUP = "homogeneousCluster"


@dataclass(frozen=True, slots=True)
class TrainingRun:
    """What one finished training job produced.

    Example::

        run.model_uri, run.metrics["train:accuracy"], run.job_directory
    """

    job_name: str
    model_uri: str
    job_uri: str
    job_directory: Path
    metrics: dict[str, float]
    started: str
    ended: str
    seconds: float
    checkpoints: tuple[str, Path] | None = None
    """``CheckpointConfig.S3Uri`` and the job's checkpoints, published there."""


def check_channels(channels: list[Mapping[str, Any]]) -> None:
    """Raise ``StepError`` for a channel the runner can't provide, before anything runs."""
    for channel in channels:
        name = str(channel.get("ChannelName"))
        source = channel.get("DataSource") or {}
        file_system = source.get("FileSystemDataSource")
        if isinstance(file_system, Mapping):
            kind = {"EFS": "an EFS", "FSxLustre": "an FSx for Lustre"}.get(
                str(file_system.get("FileSystemType")), "a"
            )
            raise StepError(
                f"channel '{name}' reads {kind} file system "
                f"({file_system.get('FileSystemId')}:{file_system.get('DirectoryPath')}), "
                "which the local runner can't mount; run this step on SageMaker, or give the "
                "channel its data from S3 (TrainingInput, with --s3-map to a local copy) to run "
                "it here"
            )
        if source.get("S3DataSource") is None:
            raise StepError(f"channel '{name}': only S3DataSource is supported locally")
        problem = name_problem(name)
        if problem is not None:
            # The API's pattern takes '.' and '..'; here it names /opt/ml/input/data/<channel>.
            raise StepError(
                f"channel {name!r}: ChannelName {name!r} can't name a folder of "
                f"/opt/ml/input/data: {problem}"
            )


DEFAULT_INSTANCE_TYPE = "ml.m5.large"


def instance_type_of(resources: Mapping[str, Any]) -> str:
    """The instance type a job's scripts see (``SM_CURRENT_INSTANCE_TYPE``).

    ``InstanceType``; else the first of ``InstancePreferences`` (a training job) or of
    ``InstanceConfigs`` (a tuning job's ``HyperParameterTuningResourceConfig``), the type
    SageMaker tries first when it has capacity.
    """
    if resources.get("InstanceType") is not None:
        return str(resources["InstanceType"])
    for member in ("InstancePreferences", "InstanceConfigs"):
        candidates: Any = resources.get(member)
        if isinstance(candidates, list) and candidates and isinstance(candidates[0], Mapping):
            first = candidates[0].get("InstanceType")
            if first is not None:
                return str(first)
    return DEFAULT_INSTANCE_TYPE


def run_training_job(
    ctx: StepContext,
    *,
    job_name: str,
    algorithm: Mapping[str, Any],
    hyperparameters: Mapping[str, Any],
    channels: list[Mapping[str, Any]],
    output_path: str,
    environment: Mapping[str, Any],
    timeout: float | None,
    work: str,
    log: Path,
    instance_type: str = DEFAULT_INSTANCE_TYPE,
    instance_groups: list[Mapping[str, Any]] | None = None,
    checkpoint: Mapping[str, Any] | None = None,
    compressed: bool = True,
    extra_environment: Mapping[str, str] | None = None,
) -> TrainingRun:
    """Run one job in its own sandbox under ``ctx.attempt_dir/work``; raise ``StepError``.

    ``compressed=False`` (``OutputDataConfig.CompressionType: NONE``) publishes the model
    directory as files under ``<job>/output/model/``, the model URI that prefix, instead
    of ``model.tar.gz``. ``extra_environment`` is set last (a distributed run's world).

    With ``instance_groups`` (``ResourceConfig.InstanceGroups``) the job runs as the
    first group's first host. With ``checkpoint`` (``CheckpointConfig``), what is at its
    ``S3Uri`` is copied into its ``LocalPath`` before the script starts and what the script
    leaves there is published at the ``S3Uri`` (``_checkpoint_folder``).
    """
    check_channels(channels)
    cluster = _Cluster.of(instance_groups, instance_type)
    interpreter = ctx.interpreter(algorithm.get("TrainingImage"))
    hps = {str(k): str(v) for k, v in hyperparameters.items()}
    program = script_setting(hps, PROGRAM)
    if not program:
        raise StepError(NO_PROGRAM)
    submit = script_setting(hps, SUBMIT_DIRECTORY)
    sandbox = ctx.sandbox(interpreter, work)
    started = ctx.now()
    for folder in ("input/config", "model", "output/data", "code"):
        sandbox.host_path(f"/opt/ml/{folder}").mkdir(parents=True, exist_ok=True)
    channel_names = []
    input_config: dict[str, Any] = {}
    for channel in channels:
        name = str(channel.get("ChannelName"))
        source = (channel.get("DataSource") or {}).get("S3DataSource")
        if source is None:
            raise StepError(f"channel '{name}': only S3DataSource is supported locally")
        if not cluster.gets(source):
            continue  # SageMaker copies it to the other groups' hosts only
        if source.get("S3DataType", "S3Prefix") != "S3Prefix":
            raise StepError(
                f"channel '{name}': S3DataType {source.get('S3DataType')} is not supported "
                "locally; use S3Prefix"
            )
        ctx.store.materialize(
            str(source.get("S3Uri")),
            sandbox.host_path(f"/opt/ml/input/data/{name}"),
            f"channel '{name}'",
        )
        channel_names.append(name)
        input_config[name] = {
            "TrainingInputMode": channel.get("InputMode", algorithm.get("TrainingInputMode")),
            "S3DistributionType": source.get("S3DataDistributionType", "FullyReplicated"),
            "RecordWrapperType": channel.get("RecordWrapperType", "None"),
            **({"ContentType": channel["ContentType"]} if "ContentType" in channel else {}),
        }
    checkpoints = _checkpoint_folder(ctx, sandbox, checkpoint)
    code: list[tuple[str, Path]] = []
    if submit:
        _place_code(ctx, sandbox, submit)
        placed = _code_origin(ctx, submit, channels)
        if placed is not None and placed.is_file() and not tarfile.is_tarfile(placed):
            code.append((f"/opt/ml/code/{placed.name}", placed))  # one script, packed here
        elif placed is not None:
            code.append(("/opt/ml/code", placed))
    if not sandbox.host_path(f"/opt/ml/code/{program}").is_file():
        raise StepError(f"code: the entry point {program} is not in {submit or 'the code'}")
    config = sandbox.host_path("/opt/ml/input/config")
    (config / "hyperparameters.json").write_text(json.dumps(hps, indent=2))
    (config / "inputdataconfig.json").write_text(json.dumps(input_config, indent=2))
    (config / "resourceconfig.json").write_text(json.dumps(cluster.resource_config()))
    user = {k: _decode(v) for k, v in hps.items() if not _is_toolkit_setting(k)}
    arguments = toolkit_arguments(user)
    visible = sandbox.visible_path
    env = {str(k): str(v) for k, v in environment.items()}
    env.update(
        {
            "SM_MODEL_DIR": visible("/opt/ml/model"),
            "SM_OUTPUT_DIR": visible("/opt/ml/output"),
            "SM_OUTPUT_DATA_DIR": visible("/opt/ml/output/data"),
            "SM_OUTPUT_INTERMEDIATE_DIR": visible("/opt/ml/output/intermediate"),
            "SM_INPUT_DIR": visible("/opt/ml/input"),
            "SM_INPUT_CONFIG_DIR": visible("/opt/ml/input/config"),
            "SM_INPUT_DATA_CONFIG": _variable_value(input_config),
            "SM_RESOURCE_CONFIG": _variable_value(cluster.resource_config()),
            "SM_FRAMEWORK_PARAMS": _variable_value(
                {
                    k: _decode(v)
                    for k, v in hps.items()
                    if k.startswith("sagemaker_") and k not in _TOOLKIT_PARAMETERS
                }
            ),
            "SM_CHANNELS": _variable_value(sorted(channel_names)),  # sorted, as the toolkit
            "SM_HPS": _variable_value(user),
            "SM_USER_ARGS": _variable_value(arguments),
            "SM_USER_ENTRY_POINT": program,
            "SM_MODULE_NAME": program.rsplit(".", 1)[0],
            "SM_MODULE_DIR": submit or "",
            "SM_CURRENT_HOST": HOST,
            "SM_HOSTS": _variable_value([HOST]),
            **cluster.environment(),
            "SM_NUM_CPUS": str(os.cpu_count() or 1),
            "SM_NUM_GPUS": "0",
            "SM_NETWORK_INTERFACE_NAME": "eth0",
            "SM_LOG_LEVEL": "20",
            "SM_TRAINING_ENV": _variable_value(
                {
                    "job_name": job_name,
                    "hyperparameters": user,
                    "channel_input_dirs": {
                        name: visible(f"/opt/ml/input/data/{name}") for name in channel_names
                    },
                    "model_dir": visible("/opt/ml/model"),
                    "module_name": program,
                    **cluster.training_env(),
                }
            ),
            "TRAINING_JOB_NAME": job_name,
        }
    )
    env.update(extra_environment or {})
    # The toolkit's names: the channel's or hyperparameter's name upper-cased, a '-' kept
    # (SM_CHANNEL_TRAIN-DATA, read with os.environ; no SM_CHANNEL_TRAIN_DATA on SageMaker).
    for name in channel_names:
        env[f"SM_CHANNEL_{name.upper()}"] = visible(f"/opt/ml/input/data/{name}")
    for key, value in user.items():
        env[f"SM_HP_{key.upper()}"] = _variable_value(value)
    seconds = ctx.run_process(
        sandbox,
        [interpreter, program, *arguments],
        env=env,
        cwd="/opt/ml/code",
        timeout=timeout,
        what="the training script",
        log=log,
        failure_files=("/opt/ml/output/failure",),
        code=code,
    )
    # Every folder the job publishes settled (links copied or refused) before any is packed.
    model_dir = sandbox.take_output("/opt/ml/model", "the model directory /opt/ml/model")
    output_data = sandbox.take_output(
        "/opt/ml/output/data", "the output data directory /opt/ml/output/data"
    )
    if checkpoints is not None:
        checkpoint_uri, checkpoint_path = checkpoints
        written = sandbox.take_output(
            checkpoint_path, f"checkpoints (CheckpointConfig.LocalPath {checkpoint_path})"
        )
    require_output_written(
        model_dir,
        strict=ctx.settings.strict_outputs,
        step=ctx.name,
        description="the model directory /opt/ml/model (SM_MODEL_DIR)",
        written_elsewhere=lambda: stray_writes(sandbox, _TRAINING_PATHS),
    )
    job_directory = ctx.staging / "jobs" / job_name
    output = job_directory / "output"
    output.mkdir(parents=True, exist_ok=True)
    if compressed:
        _pack(model_dir, output / "model.tar.gz")
        model_key = "output/model.tar.gz"
    else:
        # SageMaker uploads the files as they are, under the prefix S3ModelArtifacts names.
        copy_tree(model_dir, output / "model", "the model directory /opt/ml/model")
        model_key = "output/model/"
    _pack(output_data, output / "output.tar.gz")
    published: tuple[str, Path] | None = None
    if checkpoints is not None:
        shutil.copytree(written, job_directory / "checkpoints", dirs_exist_ok=True)
        published = (checkpoint_uri, job_directory / "checkpoints")
    ended = ctx.now()
    job_uri = f"{output_path.rstrip('/')}/{job_name}"
    return TrainingRun(
        job_name=job_name,
        model_uri=f"{job_uri}/{model_key}",
        job_uri=job_uri,
        job_directory=job_directory,
        metrics=extract_metrics(algorithm.get("MetricDefinitions") or [], log),
        started=timestamp(started),
        ended=timestamp(ended),
        seconds=seconds,
        checkpoints=published,
    )


def _checkpoint_folder(
    ctx: StepContext, sandbox: Sandbox, checkpoint: Mapping[str, Any] | None
) -> tuple[str, str] | None:
    """Prepare ``CheckpointConfig.LocalPath`` as SageMaker does; ``(S3Uri, LocalPath)``.

    The service copies what is at ``S3Uri`` into ``LocalPath`` (default
    ``/opt/ml/checkpoints``) before the script starts, so a restarted job resumes, and
    uploads what the script writes there ("Checkpoints in Amazon SageMaker AI"). Nothing at
    ``S3Uri`` is a first run. A ``LocalPath`` outside ``/opt/ml`` isn't provided locally: the
    script sees no checkpoints there and none are published.
    """
    uri = checkpoint.get("S3Uri") if checkpoint else None
    if checkpoint is None or not isinstance(uri, str) or not uri.startswith("s3://"):
        return None
    local = str(checkpoint.get("LocalPath") or "/opt/ml/checkpoints")
    normalized = os.path.normpath(local)
    if normalized != "/opt/ml" and not normalized.startswith("/opt/ml/"):
        return None
    folder = sandbox.host_path(normalized)
    folder.mkdir(parents=True, exist_ok=True)
    what = "checkpoints (CheckpointConfig.S3Uri)"
    if ctx.store.locate(uri, what) is not None:
        ctx.store.materialize(uri, folder, what)
    return uri, normalized


@dataclass(frozen=True, slots=True)
class _Cluster:
    """The instance groups of a job, and the one this host belongs to.

    Example::

        _Cluster.of([{"InstanceGroupName": "data", "InstanceType": "ml.c5.xlarge"}], "")
    """

    current: str
    instance_type: str
    groups: tuple[tuple[str, str], ...]  # (name, instance type); empty: one instance type

    @classmethod
    def of(cls, instance_groups: list[Mapping[str, Any]] | None, instance_type: str) -> _Cluster:
        """The cluster of ``ResourceConfig``: its groups, or one instance type."""
        if not instance_groups:
            return cls(HOMOGENEOUS_GROUP, instance_type, ())
        for group in instance_groups:
            # A parameter may leave a group without instances, which the validator can't
            # see: the job can't run it, and this host would stand in for no instance.
            count = group.get("InstanceCount")
            if isinstance(count, int) and count < 1:
                raise StepError(
                    f"instance group '{group.get('InstanceGroupName')}' has InstanceCount "
                    f"{count}: every group of a heterogeneous cluster needs at least 1 "
                    "instance (give its count parameter a value of 1 or more, or leave the "
                    "group out)"
                )
        groups = tuple(
            (str(group.get("InstanceGroupName")), str(group.get("InstanceType")))
            for group in instance_groups
        )
        return cls(groups[0][0], groups[0][1], groups)

    def gets(self, source: Mapping[str, Any]) -> bool:
        """Whether this host gets the channel of ``source`` (an ``S3DataSource``)."""
        names = source.get("InstanceGroupNames")
        return not self.groups or not isinstance(names, list) or self.current in names

    def _described(self) -> list[dict[str, Any]]:
        return [
            {
                "instance_group_name": name,
                "instance_type": kind,
                "hosts": [HOST] if name == self.current else [],
            }
            for name, kind in self.groups
        ]

    def resource_config(self) -> dict[str, Any]:
        """``/opt/ml/input/config/resourceconfig.json``."""
        config: dict[str, Any] = {
            "current_host": HOST,
            "current_instance_type": self.instance_type,
            "hosts": [HOST],
            "network_interface_name": "eth0",
        }
        if self.groups:
            config.update(current_group_name=self.current, instance_groups=self._described())
        return config

    def training_env(self) -> dict[str, Any]:
        """The host's instance type and group, as ``SM_TRAINING_ENV`` holds them."""
        described = self._described()
        return {
            "current_instance_type": self.instance_type,
            "current_instance_group": self.current,
            "current_instance_group_hosts": [HOST] if self.groups else [],
            "instance_groups": [group["instance_group_name"] for group in described],
            "instance_groups_dict": {group["instance_group_name"]: group for group in described},
            "is_hetero": len(self.groups) > 1,
        }

    def environment(self) -> dict[str, str]:
        """The training toolkit's variables of the host's instance type and group.

        ``SM_<KEY>`` of each ``training_env`` key: strings as they are, other values as JSON.
        """
        return {
            f"SM_{key.upper()}": value if isinstance(value, str) else json.dumps(value)
            for key, value in self.training_env().items()
        }


def script_setting(hyperparameters: Mapping[str, Any], key: str) -> str | None:
    """``sagemaker_program`` or ``sagemaker_submit_directory``, as the training toolkit reads it.

    The SDK's framework estimators write each value JSON-encoded (``'"train.py"'``); the
    toolkit decodes what decodes, as for every hyperparameter.

    Example::

        script_setting({"sagemaker_program": '"train.py"'}, PROGRAM)  # 'train.py'
    """
    value = hyperparameters.get(key)
    if not isinstance(value, str):
        return None
    decoded = _decode(value)
    return decoded if isinstance(decoded, str) else value


def _code_origin(ctx: StepContext, submit: str, channels: list[Mapping[str, Any]]) -> Path | None:
    """The local file or folder ``sagemaker_submit_directory`` came from, if known.

    An S3 URI is located as ``_place_code`` read it; a path in a channel
    (``/opt/ml/input/data/code/model.tar.gz``, as the definition language puts an asset) is
    found under the channel's S3 URI.
    """
    uri: str | None = submit
    below = ""
    if not submit.startswith("s3://"):
        name, _, below = submit.removeprefix(CHANNELS_PATH).partition("/")
        uri = None
        if submit.startswith(CHANNELS_PATH):
            for channel in channels:
                source = (channel.get("DataSource") or {}).get("S3DataSource") or {}
                if channel.get("ChannelName") == name:
                    uri = source.get("S3Uri")
    if not isinstance(uri, str):
        return None
    try:
        located = ctx.store.locate(uri, f"code ({SUBMIT_DIRECTORY})")  # read already
    except StepError:
        return None
    if located is None:
        return None
    # A channel's prefix is copied with its layout; one object is the file named after it.
    return located.path / below if located.kind == "dir" and below else located.path


def _place_code(ctx: StepContext, sandbox: Sandbox, submit: str) -> None:
    """Put ``sagemaker_submit_directory`` (an S3 URI or a path in a channel) in /opt/ml/code."""
    code = sandbox.host_path("/opt/ml/code")
    if submit.startswith("s3://"):
        located = ctx.store.locate(submit, f"code ({SUBMIT_DIRECTORY})")
        if located is None:
            raise StepError(
                f"code: no object at {submit} (sagemaker_submit_directory)"
                + ctx.store.missing_hint(submit)
            )
        unpack_code(located, code, f"code ({SUBMIT_DIRECTORY})")
        return
    try:
        local = sandbox.host_path(submit)
    except StepError:
        raise StepError(
            f"code: sagemaker_submit_directory {submit!r} is neither an s3:// URI nor a path "
            "under /opt/ml"
        ) from None
    if local.is_dir():
        copy_tree(local, code, f"code ({SUBMIT_DIRECTORY})")
    elif local.is_file() and tarfile.is_tarfile(local):
        extract(local, code)
    elif local.is_file():
        shutil.copyfile(local, code / local.name)
    else:
        raise StepError(
            f"code: sagemaker_submit_directory {submit} does not exist in the container "
            "(is the channel that carries it missing?)"
        )


def _decode(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


def toolkit_arguments(hyperparameters: Mapping[str, Any]) -> list[str]:
    """The script's arguments, as the training toolkit writes them (``mapping.to_cmd_args``).

    Sorted by name; ``--name`` for a name of two characters or more and ``-n`` for a
    one-letter name (``C`` arrives as ``-C``, which ``add_argument("--C")`` refuses); each
    (JSON-decoded) value as Python's ``str`` prints it (``True``, ``[1, 2]``,
    ``['a', 'b']``), a JSON object as ``key=value`` pairs joined by commas.

    Example::

        toolkit_arguments({"C": 1.0, "weights": {"b": 2, "a": 1}})
        # ['-C', '1.0', '--weights', 'a=1,b=2']
    """
    arguments: list[str] = []
    for name in sorted(hyperparameters):
        value = hyperparameters[name]
        flag = "" if not name else f"--{name}" if len(name) > 1 else f"-{name}"
        if isinstance(value, Mapping):
            text = ",".join(f"{key}={item}" for key, item in sorted(value.items()))
        else:
            text = "" if value is None else str(value)
        arguments += [flag, text]
    return arguments


def _variable_value(value: Any) -> str:
    """A value of an ``SM_*`` variable, as the toolkit writes it (``mapping.to_env_vars``).

    A string as it is, ``None`` as nothing, anything else as compact JSON with sorted keys
    (``true``, ``[64,32]``, ``{"a":1}``).
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def _pack(folder: Path, target: Path) -> None:
    with tarfile.open(target, "w:gz", compresslevel=1) as archive:
        if folder.is_dir():
            for item in sorted(folder.iterdir()):
                archive.add(item, arcname=item.name)


def extract_metrics(definitions: list[Mapping[str, Any]], log: Path) -> dict[str, float]:
    """The last value each ``MetricDefinitions`` regex captured in the log."""
    if not definitions or not log.exists():
        return {}
    text = log.read_text(encoding="utf-8", errors="replace")
    found: dict[str, float] = {}
    for definition in definitions:
        name, pattern = str(definition.get("Name")), str(definition.get("Regex"))
        try:
            regex = compile_metric_regex(pattern)
        except re.error as error:
            raise StepError(f"MetricDefinitions '{name}': bad regex {pattern!r}: {error}") from None
        for match in regex.finditer(text):
            captured = match.group(1) if regex.groups else match.group(0)
            try:
                found[name] = float(captured)
            except (TypeError, ValueError):
                continue
    return found


_TRAILING_NUMBER = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$")
_REGEX_SPECIALS = frozenset(".^$*+?{}[]\\|()")


def missing_metric_reason(definitions: list[Mapping[str, Any]], name: str, log: Path) -> str:
    """Why ``extract_metrics`` found no value of metric ``name`` in ``log``.

    A regex without a capture group matches the whole line (``accuracy: 0.93``), which is
    no number: saying "never matched" there sends the user looking at the wrong thing.
    """
    pattern = next((str(d.get("Regex")) for d in definitions if d.get("Name") == name), None)
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    try:
        match = compile_metric_regex(pattern).search(text) if pattern is not None else None
    except re.error:
        match = None  # extract_metrics reports a bad regex itself
    if pattern is None or match is None:
        return f"its regex never matched (log: {log})"
    matched = match.group(0)
    problem = (
        f"its first group captured {match.group(1)!r}, which is not a number"
        if match.re.groups
        else "it has no group to capture the number"
    )
    example = _example_metric_regex(matched)
    return (
        f"its regex {pattern!r} matched {matched!r}, but {problem} (capture only the value, "
        f"e.g. '{example}'; log: {log})"
    )


def _example_metric_regex(matched: str) -> str:
    """A regex capturing the number that ends ``matched`` (``acc: 0.9`` → ``acc: ([0-9.]+)``)."""
    label = _TRAILING_NUMBER.sub("", matched)
    escaped = "".join(f"\\{char}" if char in _REGEX_SPECIALS else char for char in label)
    return f"{escaped}([0-9.]+)"


def metric_list(metrics: Mapping[str, float], when: str) -> list[dict[str, Any]]:
    """``FinalMetricDataList`` entries."""
    return [
        {"MetricName": name, "Value": value, "Timestamp": when} for name, value in metrics.items()
    ]


def _is_toolkit_setting(name: str) -> bool:
    """Whether the training toolkit reads ``name`` itself rather than passing it to the script."""
    return name.startswith("sagemaker_") or name in _TOOLKIT_SETTINGS
