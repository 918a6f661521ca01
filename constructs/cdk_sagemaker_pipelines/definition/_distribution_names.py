"""The hyperparameters the SageMaker SDK's ``distribution=`` writes: one source of their names.

``Distribution`` (``definition/distribution.py``) writes them, the validator
(``_channel_rules.py``) checks them, ``smpipe convert`` reads them back into
``distribution=`` and the local runner reports them. Names as in sagemaker 2.257.7's
``Framework`` and ``PyTorch`` estimators (``LAUNCH_*_ENV_NAME`` and friends); the training
toolkits read them from ``hyperparameters.json``.
"""

from __future__ import annotations

# The group of a heterogeneous cluster distributed training runs in: a JSON list of one name.
DISTRIBUTION_GROUPS = "sagemaker_distribution_instance_groups"
TORCH_DISTRIBUTED_ENABLED = "sagemaker_torch_distributed_enabled"
MPI_ENABLED = "sagemaker_mpi_enabled"
MPI_PROCESSES_PER_HOST = "sagemaker_mpi_num_of_processes_per_host"
MPI_CUSTOM_OPTIONS = "sagemaker_mpi_custom_mpi_options"
DATA_PARALLEL_ENABLED = "sagemaker_distributed_dataparallel_enabled"
DATA_PARALLEL_CUSTOM_OPTIONS = "sagemaker_distributed_dataparallel_custom_mpi_options"
MODEL_PARALLEL_PARAMETERS = "mp_parameters"
PARAMETER_SERVER_ENABLED = "sagemaker_parameter_server_enabled"
MULTI_WORKER_MIRRORED_ENABLED = "sagemaker_multi_worker_mirrored_strategy_enabled"
INSTANCE_TYPE = "sagemaker_instance_type"
# Written by the SDK for distribution kinds the language doesn't offer (``pytorchxla`` needs
# the Training Compiler; ``pytorchddp`` is the Hugging Face estimator's older spelling).
PYTORCH_XLA_ENABLED = "sagemaker_pytorch_xla_multi_worker_enabled"
PYTORCH_DDP_ENABLED = "sagemaker_pytorch_ddp_enabled"

# The switches: each turns a strategy on (``"true"``).
DISTRIBUTION_SWITCHES = (
    TORCH_DISTRIBUTED_ENABLED,
    MPI_ENABLED,
    DATA_PARALLEL_ENABLED,
    PARAMETER_SERVER_ENABLED,
)
# Every hyperparameter ``Distribution`` writes.
DISTRIBUTION_HYPERPARAMETERS = (
    DISTRIBUTION_GROUPS,
    TORCH_DISTRIBUTED_ENABLED,
    MPI_ENABLED,
    MPI_PROCESSES_PER_HOST,
    MPI_CUSTOM_OPTIONS,
    DATA_PARALLEL_ENABLED,
    DATA_PARALLEL_CUSTOM_OPTIONS,
    MODEL_PARALLEL_PARAMETERS,
    PARAMETER_SERVER_ENABLED,
    MULTI_WORKER_MIRRORED_ENABLED,
    INSTANCE_TYPE,
)
