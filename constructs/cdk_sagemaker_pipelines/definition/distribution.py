"""``Distribution``: distributed training in one keyword, as the SageMaker SDK's ``distribution=``.

A ``TrainingStep`` or ``TuningStep`` (or a ``TrainingJobDefinition``) given
``distribution=Distribution.torch_distributed()`` writes the hyperparameters the SDK's
framework estimators write for ``distribution={"torch_distributed": {"enabled": True}}``,
which the SageMaker training toolkits read to launch the script (``torchrun``, ``mpirun``, the
SMDDP or SMP launcher, a parameter server). Values are JSON-encoded as the SDK encodes them
(``"true"``, ``"8"``, ``'"ml.p4d.24xlarge"'``, ``'["gpu"]'``); the toolkit decodes them.
``tests/definition/test_sdk_distribution.py`` compares every strategy with what sagemaker
2.257.7 writes (``tests/definition/sdk_distribution/``).

The checks the SDK makes that hold offline are made when a step is built (``check_distribution``),
naming the step and ``distribution``: the framework and version of a framework image, the
instance type, the instance group it runs in, a hyperparameter given twice.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import _distribution_names as names
from ._errors import PipelineDefinitionError
from ._render import JsonValue, RenderContext, render_string
from ._suggest import did_you_mean, one_of
from ._tokens import is_token
from ._typecheck import checked
from .expressions import Expression

if TYPE_CHECKING:
    from .bindables import Image

TORCH_DISTRIBUTED = "torch_distributed"
MPI = "mpi"
DATA_PARALLEL = "smdistributed_data_parallel"
MODEL_PARALLEL = "smdistributed_model_parallel"
PARAMETER_SERVER = "parameter_server"
MULTI_WORKER_MIRRORED = "multi_worker_mirrored_strategy"
STRATEGIES = (
    TORCH_DISTRIBUTED,
    MPI,
    DATA_PARALLEL,
    MODEL_PARALLEL,
    PARAMETER_SERVER,
    MULTI_WORKER_MIRRORED,
)
LAUNCHERS = (TORCH_DISTRIBUTED, MPI)
# The strategies the SDK writes ``sagemaker_distribution_instance_groups`` for: it refuses the
# others on a heterogeneous cluster ("Don't set training instance groups while no
# distribution strategies enabled!"), but torch_distributed, whose group it drops.
_GROUP_STRATEGIES = (MPI, DATA_PARALLEL)
# The SDK's ``SM_DATAPARALLEL_SUPPORTED_INSTANCE_TYPES`` (multi-GPU P3, P4d, P4de) and the P5
# family the SMDDP guide adds ("Supported frameworks, AWS Regions, and instance types").
_DATA_PARALLEL_INSTANCE = re.compile(
    r"ml\.(p3\.16xlarge|p3dn\.24xlarge|p4d\.24xlarge|p4de\.24xlarge|p5[a-z]*\.48xlarge)"
)
_INSTANCE_FAMILY = re.compile(r"ml[._]([a-z\d\-]+)\.?\w*")  # the SDK's pattern
# The SDK's checks (``fw_utils.validate_torch_distributed_distribution``,
# ``_validate_smdataparallel_args``, ``Framework._validate_mwms_config``) of framework images.
_TORCH_DISTRIBUTED_GPU_MINIMUM = (1, 13)  # TORCH_DISTRIBUTED_GPU_SUPPORTED_FRAMEWORK_VERSIONS
_TORCH_DISTRIBUTED_TRAINIUM_MINIMUM = (1, 11)
_DATA_PARALLEL_TENSORFLOW_BEYOND = (2, 12)  # "smdataparallel excludes support for tf>=2.12"
_MULTI_WORKER_MIRRORED_MINIMUM = (2, 9)
# validate_mp_config: these model-parallel parameters are positive integers, these booleans.
_MP_POSITIVE = ("microbatches", "partitions", "active_microbatches")
_MP_BOOLEAN = ("auto_partition", "contiguous", "load_partition", "horovod", "ddp")


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class Distribution:
    """How a training job's script is launched on its instances: the SDK's ``distribution=``.

    Build one with a factory named after the SDK's ``distribution`` key; each writes the
    hyperparameters the SDK writes for it (``sagemaker_torch_distributed_enabled``, …).
    ``instance_groups`` (MPI and SageMaker data or model parallel) names the one group of a
    ``TrainingStep``'s heterogeneous cluster the job runs in; a cluster of one group needs
    none (it is named for you, as the SDK does).

    Example::

        TrainingStep(name="Train", image=Image.pytorch("2.1", processor="gpu"), code=code,
                     instance_type="ml.p4d.24xlarge", instance_count=2,
                     distribution=Distribution.torch_distributed())
        Distribution.mpi(processes_per_host=8, custom_mpi_options="-verbose")
        Distribution.smdistributed_data_parallel(instance_groups=["gpu"])
        Distribution.smdistributed_model_parallel({"tensor_parallel_degree": 4})
        Distribution.parameter_server()                # TensorFlow
        Distribution.multi_worker_mirrored_strategy()  # TensorFlow 2.9 and later
    """

    strategy: str
    processes_per_host: int | Expression | None = None
    custom_mpi_options: str | Expression | None = None
    parameters: Mapping[str, Any] | None = None
    launcher: str | None = None
    instance_groups: Sequence[str] | None = None

    @staticmethod
    def torch_distributed() -> Distribution:
        """``torchrun`` on every instance (the SDK's ``{"torch_distributed": {"enabled": True}}``).

        PyTorch (or Hugging Face PyTorch) images, 1.13 and later on GPU (``ml.p*``,
        ``ml.g*``) and 1.11 on Trainium (``ml.trn*``) instances; the entry point is a
        ``.py`` file.
        """
        return Distribution(strategy=TORCH_DISTRIBUTED)

    @staticmethod
    def mpi(
        processes_per_host: int | Expression | None = None,
        custom_mpi_options: str | Expression = "",
        instance_groups: Sequence[str] | None = None,
    ) -> Distribution:
        """``mpirun`` (Horovod and the like): the SDK's ``{"mpi": {"enabled": True, …}}``.

        ``processes_per_host``: the processes per instance, at least 1. Default: the
        toolkit's, one per GPU (or one). ``custom_mpi_options``: added to ``mpirun``.
        """
        return Distribution(
            strategy=MPI,
            processes_per_host=processes_per_host,
            custom_mpi_options=custom_mpi_options,
            instance_groups=instance_groups,
        )

    @staticmethod
    def smdistributed_data_parallel(
        custom_mpi_options: str | Expression = "",
        instance_groups: Sequence[str] | None = None,
    ) -> Distribution:
        """The SageMaker data parallelism library (SMDDP): the SDK's ``dataparallel``.

        Multi-GPU instances only: ml.p3.16xlarge, ml.p3dn.24xlarge, ml.p4d.24xlarge,
        ml.p4de.24xlarge, ml.p5*.48xlarge; PyTorch or TensorFlow up to 2.11 images.
        """
        return Distribution(
            strategy=DATA_PARALLEL,
            custom_mpi_options=custom_mpi_options,
            instance_groups=instance_groups,
        )

    @staticmethod
    def smdistributed_model_parallel(
        parameters: Mapping[str, Any] | None = None,
        *,
        launcher: str = TORCH_DISTRIBUTED,
        processes_per_host: int | Expression | None = None,
        custom_mpi_options: str | Expression = "",
        instance_groups: Sequence[str] | None = None,
    ) -> Distribution:
        """The SageMaker model parallelism library (SMP), ``parameters`` its configuration.

        ``launcher="torch_distributed"`` (Default) is SMP v2: the SDK's
        ``{"torch_distributed": {"enabled": True}, "smdistributed": {"modelparallel":
        {"enabled": True, "parameters": …}}}``; run it on an SMP image
        (``Image.from_uri("658645717510.dkr.ecr.<region>.amazonaws.com/
        smdistributed-modelparallel:<tag>")``, which the SDK picks). ``launcher="mpi"`` is
        SMP v1, launched with MPI (``processes_per_host``, ``custom_mpi_options``,
        ``instance_groups`` as for ``mpi``).
        """
        return Distribution(
            strategy=MODEL_PARALLEL,
            parameters=parameters,
            launcher=launcher,
            processes_per_host=processes_per_host,
            custom_mpi_options=custom_mpi_options if launcher == MPI else None,
            instance_groups=instance_groups,
        )

    @staticmethod
    def parameter_server() -> Distribution:
        """TensorFlow parameter servers: the SDK's ``{"parameter_server": {"enabled": True}}``."""
        return Distribution(strategy=PARAMETER_SERVER)

    @staticmethod
    def multi_worker_mirrored_strategy() -> Distribution:
        """TensorFlow's ``MultiWorkerMirroredStrategy`` (2.9 and later), the SDK's key."""
        return Distribution(strategy=MULTI_WORKER_MIRRORED)

    @property
    def _mpi_launched(self) -> bool:
        return self.strategy == MPI or (self.strategy == MODEL_PARALLEL and self.launcher == MPI)

    @property
    def _mpi_options(self) -> str | Expression:
        """``custom_mpi_options``, ``""`` when unset (a parameter is never truth-tested)."""
        return "" if self.custom_mpi_options is None else self.custom_mpi_options

    @property
    def takes_instance_groups(self) -> bool:
        """Whether the strategy runs in one group of a heterogeneous cluster (the SDK's rule)."""
        return self.strategy in _GROUP_STRATEGIES or self._mpi_launched

    def _validate(self) -> None:
        where = "Distribution"
        if self.strategy not in STRATEGIES:
            hint = did_you_mean(self.strategy, STRATEGIES)
            raise PipelineDefinitionError(
                f"{where}: strategy {self.strategy!r} is not one of {one_of(STRATEGIES)}"
                + (f" ({hint})" if hint else "")
                + "; use a factory such as Distribution.torch_distributed()"
            )
        where = f"Distribution.{self.strategy}"
        if self.strategy == MODEL_PARALLEL:
            if self.launcher not in LAUNCHERS:
                raise PipelineDefinitionError(
                    f"{where}: launcher {self.launcher!r} is not one of {one_of(LAUNCHERS)} "
                    "(SMP v2 or SMP v1)"
                )
        elif self.launcher is not None:
            raise PipelineDefinitionError(f"{where}: launcher is for smdistributed_model_parallel")
        mpi_options = self._mpi_launched or self.strategy == DATA_PARALLEL
        for argument, allowed in (
            ("processes_per_host", self._mpi_launched),
            ("custom_mpi_options", mpi_options),
            ("parameters", self.strategy == MODEL_PARALLEL),
        ):
            if getattr(self, argument) is not None and not allowed:
                raise PipelineDefinitionError(
                    f"{where}: {argument} is not an option of this strategy; leave it out"
                )
        count = self.processes_per_host
        if isinstance(count, int) and count < 1:
            raise PipelineDefinitionError(
                f"{where}: processes_per_host must be at least 1, got {count}; leave it out "
                "for the toolkit's default (one per GPU)"
            )
        self._check_parameters(where)
        self._check_groups(where)

    def _check_parameters(self, where: str) -> None:
        parameters = self.parameters
        if parameters is None:
            return
        try:
            json.dumps(dict(parameters))
        except (TypeError, ValueError) as error:
            raise PipelineDefinitionError(
                f"{where}: parameters must be JSON (the SDK writes them as the hyperparameter "
                f"{names.MODEL_PARALLEL_PARAMETERS}): {error}"
            ) from None
        for key in _MP_POSITIVE:
            value = parameters.get(key)
            if key in parameters and (type(value) is not int or value < 1):
                raise PipelineDefinitionError(
                    f"{where}: parameters['{key}'] must be a positive integer, got {value!r} "
                    "(the SDK's validate_mp_config)"
                )
        for key in _MP_BOOLEAN:
            if key in parameters and type(parameters[key]) is not bool:
                raise PipelineDefinitionError(
                    f"{where}: parameters['{key}'] must be True or False, got "
                    f"{parameters[key]!r} (the SDK's validate_mp_config)"
                )
        if parameters.get("horovod") and parameters.get("ddp"):
            raise PipelineDefinitionError(
                f"{where}: parameters can't enable both 'ddp' and 'horovod' (the SDK's "
                "validate_mp_config)"
            )

    def _check_groups(self, where: str) -> None:
        groups = self.instance_groups
        if groups is None:
            return
        if not self.takes_instance_groups:
            why = (
                "the SDK writes no group for torch_distributed, so the toolkit can't tell "
                "which group launches it"
                if self.strategy == TORCH_DISTRIBUTED
                else "the SDK refuses it: \"Don't set training instance groups while no "
                'distribution strategies enabled!"'
            )
            raise PipelineDefinitionError(
                f"{where}: instance_groups is for mpi, smdistributed_data_parallel and "
                f"smdistributed_model_parallel(launcher='mpi') ({why}); leave it out"
            )
        if len(groups) != 1:
            raise PipelineDefinitionError(
                f"{where}: instance_groups names the one group distributed training runs in, "
                f'got {len(groups)} (the SDK: "Distribution should only contain one instance '
                'group name")'
            )

    def sdk_distribution(self) -> dict[str, Any]:
        """The SDK's ``distribution=`` dictionary for this (group names as strings)."""
        sdk: dict[str, Any] = {}
        mpi: dict[str, Any] = {"enabled": True}
        if self.processes_per_host is not None:
            mpi["processes_per_host"] = self.processes_per_host
        options = self._mpi_options
        if not isinstance(options, str) or options:
            mpi["custom_mpi_options"] = options
        if self.strategy == DATA_PARALLEL:
            data: dict[str, Any] = {"enabled": True}
            if not isinstance(options, str) or options:
                data["custom_mpi_options"] = options
            sdk["smdistributed"] = {"dataparallel": data}
        elif self.strategy == MODEL_PARALLEL:
            model: dict[str, Any] = {"enabled": True}
            if self.parameters is not None:
                model["parameters"] = dict(self.parameters)
            sdk["smdistributed"] = {"modelparallel": model}
            sdk[self.launcher or TORCH_DISTRIBUTED] = (
                mpi if self.launcher == MPI else {"enabled": True}
            )
        elif self.strategy == MPI:
            sdk["mpi"] = mpi
        else:
            sdk[self.strategy] = {"enabled": True}
        if self.instance_groups is not None:
            sdk["instance_groups"] = list(self.instance_groups)
        return sdk

    def hyperparameters(
        self,
        instance_type: str | Expression | None,
        cluster_groups: Sequence[str] | None,
        ctx: RenderContext | None = None,
    ) -> dict[str, JsonValue]:
        """The hyperparameters the SDK writes, in its order and encoding.

        ``instance_type`` is the job's (None on a heterogeneous cluster, where the SDK writes
        ``null`` for the SMDDP/SMP launchers and nothing for torch_distributed);
        ``cluster_groups`` the names of the step's instance groups, if any: a strategy that
        runs in one group and names none runs in the only one.
        """
        values: dict[str, Any] = {}
        groups = self.run_groups(cluster_groups)
        if groups is not None:
            values[names.DISTRIBUTION_GROUPS] = list(groups)
        if self.strategy == PARAMETER_SERVER:
            values[names.PARAMETER_SERVER_ENABLED] = True
        if self._mpi_launched:
            values[names.MPI_ENABLED] = True
            if self.processes_per_host is not None:
                values[names.MPI_PROCESSES_PER_HOST] = self.processes_per_host
            values[names.MPI_CUSTOM_OPTIONS] = self._mpi_options
        if self.strategy in (DATA_PARALLEL, MODEL_PARALLEL):
            if self.parameters:
                values[names.MODEL_PARALLEL_PARAMETERS] = dict(self.parameters)
            values[names.DATA_PARALLEL_ENABLED] = self.strategy == DATA_PARALLEL
            values[names.INSTANCE_TYPE] = instance_type
            if self.strategy == DATA_PARALLEL:
                values[names.DATA_PARALLEL_CUSTOM_OPTIONS] = self._mpi_options
        if self.strategy == MULTI_WORKER_MIRRORED:
            values[names.MULTI_WORKER_MIRRORED_ENABLED] = True
        if self.strategy == TORCH_DISTRIBUTED or (
            self.strategy == MODEL_PARALLEL and self.launcher == TORCH_DISTRIBUTED
        ):
            values[names.TORCH_DISTRIBUTED_ENABLED] = True
            if instance_type is not None:
                values[names.INSTANCE_TYPE] = instance_type
        return {key: _encode(value, ctx) for key, value in values.items()}

    def run_groups(self, cluster_groups: Sequence[str] | None) -> Sequence[str] | None:
        """The group names written in ``sagemaker_distribution_instance_groups``, if any."""
        if not self.takes_instance_groups or cluster_groups is None:
            return None
        if self.instance_groups is not None:
            return self.instance_groups
        return cluster_groups if len(cluster_groups) == 1 else None


def _encode(value: Any, ctx: RenderContext | None) -> JsonValue:
    """A value as the SDK writes it: JSON text, or an expression rendered as a string."""
    if isinstance(value, Expression):
        return render_string(value, ctx)
    return json.dumps(value)


def _version(text: str) -> tuple[int, ...]:
    """``"2.1.0"`` -> ``(2, 1, 0)``; the leading numbers of each part."""
    parts: list[int] = []
    for part in text.split("."):
        match = re.match(r"\d+", part)
        if match is None:
            break
        parts.append(int(match.group()))
    return tuple(parts)


def _image_framework(image: Any) -> tuple[str, tuple[int, ...]] | None:
    """``("pytorch", (2, 1, 0))`` for a framework image (Hugging Face: its base framework)."""
    from .bindables import Image  # bindables imports the steps' modules' dependencies

    if not isinstance(image, Image) or image.framework is None:
        return None
    spec = image.framework_spec()
    if spec.framework == "huggingface" and spec.base_framework_version:
        match = re.fullmatch(r"(pytorch|tensorflow)(.*)", spec.base_framework_version)
        if match:
            return match.group(1), _version(match.group(2))
    return spec.framework, _version(spec.version)


def _family(instance_type: Any) -> str | None:
    """The family of a literal instance type (``p4d`` of ``ml.p4d.24xlarge``); else None."""
    if not isinstance(instance_type, str) or is_token(instance_type):
        return None
    match = _INSTANCE_FAMILY.fullmatch(instance_type)
    return match.group(1) if match else None


def check_distribution(
    where: str,
    distribution: Distribution,
    *,
    image: Image | str | Expression | None,
    instance_type: str | Expression | None,
    cluster: Mapping[str, str | Expression] | None,
    hyperparameters: Mapping[str, Any] | None,
    script_name: str | None,
    tuning: bool,
) -> None:
    """Raise ``PipelineDefinitionError`` for what the SDK refuses (or a job would) offline.

    ``where`` names the step (``TrainingStep 'Train'``); ``instance_type`` is the job's
    (``cluster`` maps a heterogeneous cluster's group names to their instance types);
    ``image`` is checked when it is a framework image, as the SDK checks only those.
    """
    strategy = distribution.strategy
    label = f"{where}: distribution {strategy}"
    given = [key for key in hyperparameters or {} if key in names.DISTRIBUTION_HYPERPARAMETERS]
    if given:
        raise PipelineDefinitionError(
            f"{where}: hyperparameters sets {', '.join(map(repr, given))}, which "
            "distribution= writes; leave it out of the hyperparameters"
        )
    wanted = distribution.instance_groups
    if cluster is None:
        if wanted is not None:
            raise PipelineDefinitionError(
                f"{label}: instance_groups names {wanted[0]!r}, but the step runs on one "
                "instance type, not a heterogeneous cluster"
                + (
                    " (TuningStep takes none)"
                    if tuning
                    else "; give the step instance_groups=[InstanceGroup(…), …]"
                )
                + ' (the SDK: "Instance groups not specified in the estimator")'
            )
    else:
        known = list(cluster)
        if not distribution.takes_instance_groups:
            why = (
                "the SDK writes no group for torch_distributed, and the toolkit would launch "
                "it in every group"
                if strategy == TORCH_DISTRIBUTED
                or (strategy == MODEL_PARALLEL and distribution.launcher == TORCH_DISTRIBUTED)
                else "the SDK refuses it: \"Don't set training instance groups while no "
                'distribution strategies enabled!"'
            )
            if len(known) > 1 or strategy != TORCH_DISTRIBUTED:
                raise PipelineDefinitionError(
                    f"{label} can't run on a heterogeneous cluster ({why}); use "
                    "Distribution.mpi, smdistributed_data_parallel or "
                    "smdistributed_model_parallel(launcher='mpi') with instance_groups="
                    "['<group>'], or one instance type"
                )
        elif wanted is None and len(known) > 1:
            raise PipelineDefinitionError(
                f"{label} runs in one group of the heterogeneous cluster "
                f"({one_of(known)}); name it: instance_groups=['<group>'] (the SDK: "
                '"Distribution should only contain one instance group name")'
            )
        elif (
            wanted is not None
            and not any(is_token(name) for name in [*known, *wanted])
            and wanted[0] not in known
        ):
            hint = did_you_mean(wanted[0], known)
            raise PipelineDefinitionError(
                f"{label}: instance_groups names {wanted[0]!r}, which is not one of the "
                f"step's instance_groups ({one_of(known)})" + (f"; {hint}" if hint else "")
            )
        groups = distribution.run_groups(known)
        if groups is not None and groups[0] in cluster:
            instance_type = cluster[groups[0]]
        elif len(known) == 1:
            instance_type = cluster[known[0]]
        else:
            instance_type = None
    _check_instance_type(label, distribution, instance_type)
    _check_framework(label, distribution, image, instance_type)
    if (
        strategy == TORCH_DISTRIBUTED
        and script_name is not None
        and not script_name.endswith(".py")
    ):
        raise PipelineDefinitionError(
            f"{label}: the entry point {script_name!r} is not a Python program (*.py), "
            "which torchrun needs (the SDK refuses it too)"
        )


def _check_instance_type(
    label: str, distribution: Distribution, instance_type: str | Expression | None
) -> None:
    family = _family(instance_type)
    if family is None:
        return  # a parameter or token: known at run time
    strategy = distribution.strategy
    if family.startswith("trn") and strategy != TORCH_DISTRIBUTED:
        raise PipelineDefinitionError(
            f"{label} doesn't run on Trainium ({instance_type}): use "
            'Distribution.torch_distributed() there (the SDK: "not supported for Trainium '
            'instances")'
        )
    if strategy == DATA_PARALLEL and not _DATA_PARALLEL_INSTANCE.fullmatch(str(instance_type)):
        raise PipelineDefinitionError(
            f"{label} runs on ml.p3.16xlarge, ml.p3dn.24xlarge, ml.p4d.24xlarge, "
            f"ml.p4de.24xlarge or ml.p5*.48xlarge instances (the SMDDP library's), got "
            f"{instance_type}"
        )


def _check_framework(
    label: str,
    distribution: Distribution,
    image: Any,
    instance_type: str | Expression | None,
) -> None:
    framework = _image_framework(image)
    if framework is None:
        return  # a custom image: the SDK doesn't check those either
    name, version = framework
    strategy = distribution.strategy
    shown = ".".join(map(str, version))
    if name not in ("pytorch", "tensorflow"):
        raise PipelineDefinitionError(
            f"{label} needs a PyTorch, TensorFlow or Hugging Face image (or a custom "
            f"image), got a {name} image"
        )
    needs = {
        TORCH_DISTRIBUTED: ("pytorch",),
        MODEL_PARALLEL: ("pytorch",),
        PARAMETER_SERVER: ("tensorflow",),
        MULTI_WORKER_MIRRORED: ("tensorflow",),
    }.get(strategy)
    if needs is not None and name not in needs:
        wanted = {"pytorch": "PyTorch", "tensorflow": "TensorFlow"}[needs[0]]
        raise PipelineDefinitionError(
            f"{label} needs a {wanted} image (or a Hugging Face one on {wanted}): the {name} "
            f"training toolkit has no launcher for it, got {name} {shown}"
        )
    family = _family(instance_type)
    if strategy == TORCH_DISTRIBUTED and family is not None:
        if family.startswith("trn"):
            minimum = _TORCH_DISTRIBUTED_TRAINIUM_MINIMUM
        elif family.startswith(("p", "g")):
            minimum = _TORCH_DISTRIBUTED_GPU_MINIMUM
        else:
            raise PipelineDefinitionError(
                f"{label} runs on GPU (ml.p*, ml.g*) or Trainium (ml.trn*) instances, got "
                f'{instance_type} (the SDK: "supported only for GPU and Trainium instances")'
            )
        if version < minimum:
            raise PipelineDefinitionError(
                f"{label} needs PyTorch {'.'.join(map(str, minimum))} or later on "
                f"{instance_type}, got {shown}"
            )
    if (
        strategy == DATA_PARALLEL
        and name == "tensorflow"
        and version >= (_DATA_PARALLEL_TENSORFLOW_BEYOND)
    ):
        raise PipelineDefinitionError(
            f"{label} supports TensorFlow up to 2.11 (the SMDDP library dropped TensorFlow), "
            f"got {shown}"
        )
    if strategy == MULTI_WORKER_MIRRORED and version < _MULTI_WORKER_MIRRORED_MINIMUM:
        raise PipelineDefinitionError(f"{label} needs TensorFlow 2.9 or later, got {shown}")
