# mypy: ignore-errors
"""Generate ``sdk-distribution.json``: what the SageMaker SDK v2 writes for ``distribution=``.

Not part of the project (which never imports the SDK) nor of its tests: run it with the
interpreter of an environment that has ``sagemaker`` (2.257.7 for the checked-in file),
offline (placeholder credentials; telemetry and the default-bucket lookup patched out; every
socket connection and AWS API call refused, and none is attempted)::

    SAGEMAKER_SUPPRESS_V2_WARNING=1 /tmp/sdk-venv/bin/python \
        tests/definition/sdk_distribution/generate_sdk_distribution.py \
        > tests/definition/sdk_distribution/sdk-distribution.json

It prints ``{"sdk": <version>, "definitions": {<estimator family>: <pipeline.definition()>},
"errors": {<case>: <the SDK's ValueError>}}``. Each step's name says what its estimator
was given (``tests/definition/test_sdk_distribution.py`` holds the same cases in the
language). Code is an S3 archive (no upload).
"""

import json
import sys
from pathlib import Path

# Placeholder credentials and no logging before the SDK loads; no network, no AWS calls.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from sdk_offline import BLOCKED, offline_session

# isort: split

import sagemaker
from sagemaker.huggingface import HuggingFace
from sagemaker.instance_group import InstanceGroup
from sagemaker.pytorch import PyTorch
from sagemaker.tensorflow import TensorFlow
from sagemaker.tuner import HyperparameterTuner, IntegerParameter
from sagemaker.workflow.parameters import ParameterString
from sagemaker.workflow.pipeline import Pipeline
from sagemaker.workflow.steps import TrainingStep, TuningStep

REGION, ROLE, BUCKET = "us-east-1", "arn:aws:iam::111122223333:role/SageMakerRole", "my-bucket"
CODE = f"s3://{BUCKET}/code/sourcedir.tar.gz"
session = offline_session(REGION, BUCKET)

INSTANCE_TYPE = ParameterString(name="TrainInstanceType", default_value="ml.g5.12xlarge")
COMMON = dict(entry_point="train.py", source_dir=CODE, role=ROLE, sagemaker_session=session)


def pytorch(version="2.1.0", py="py310", **kwargs):
    return PyTorch(framework_version=version, py_version=py, **COMMON, **kwargs)


def tensorflow(version="2.13", py="py310", **kwargs):
    return TensorFlow(framework_version=version, py_version=py, **COMMON, **kwargs)


def huggingface(**kwargs):
    return HuggingFace(
        transformers_version="4.36.0",
        pytorch_version="2.1.0",
        py_version="py310",
        **COMMON,
        **kwargs,
    )


PYTORCH_IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.1.0-gpu-py310"
P4D, P3 = "ml.p4d.24xlarge", "ml.p3.16xlarge"
DATA = InstanceGroup("data", "ml.c5.xlarge", 2)
GPU = InstanceGroup("gpu", P4D, 1)
SMP = {"partitions": 2, "microbatches": 4, "ddp": True}

# family -> [(step name, estimator factory)]
CASES = {
    "pytorch": [
        (
            "TorchDistributed",
            lambda: pytorch(
                instance_type=P4D,
                instance_count=2,
                distribution={"torch_distributed": {"enabled": True}},
            ),
        ),
        # With a parameter instance type, the SDK checks torch_distributed only when given
        # image_uri= (it refuses a parameter as "not a GPU instance" otherwise).
        (
            "TorchDistributedParameter",
            lambda: PyTorch(
                image_uri=PYTORCH_IMAGE,
                instance_type=INSTANCE_TYPE,
                instance_count=1,
                distribution={"torch_distributed": {"enabled": True}},
                **COMMON,
            ),
        ),
        (
            "Mpi",
            lambda: pytorch(
                instance_type=P4D,
                instance_count=2,
                distribution={
                    "mpi": {
                        "enabled": True,
                        "processes_per_host": 8,
                        "custom_mpi_options": "-verbose -x NCCL_DEBUG=INFO",
                    }
                },
            ),
        ),
        (
            "MpiDefaults",
            lambda: pytorch(
                instance_type=P4D, instance_count=2, distribution={"mpi": {"enabled": True}}
            ),
        ),
        (
            "DataParallel",
            lambda: pytorch(
                instance_type=P4D,
                instance_count=2,
                distribution={"smdistributed": {"dataparallel": {"enabled": True}}},
            ),
        ),
        (
            "DataParallelMpiOptions",
            lambda: pytorch(
                instance_type=P3,
                instance_count=2,
                distribution={
                    "smdistributed": {
                        "dataparallel": {"enabled": True, "custom_mpi_options": "-verbose"}
                    }
                },
            ),
        ),
        (
            "ModelParallelMpi",
            lambda: pytorch(
                version="1.13.1",
                py="py39",
                instance_type=P4D,
                instance_count=1,
                distribution={
                    "smdistributed": {"modelparallel": {"enabled": True, "parameters": SMP}},
                    "mpi": {"enabled": True, "processes_per_host": 8},
                },
            ),
        ),
        (
            "ModelParallelTorchDistributed",
            lambda: pytorch(
                version="2.2.0",
                instance_type=P4D,
                instance_count=2,
                distribution={
                    "torch_distributed": {"enabled": True},
                    "smdistributed": {
                        "modelparallel": {
                            "enabled": True,
                            "parameters": {"tensor_parallel_degree": 4},
                        }
                    },
                },
            ),
        ),
    ],
    "tensorflow": [
        (
            "TfParameterServer",
            lambda: tensorflow(
                instance_type="ml.c5.xlarge",
                instance_count=2,
                distribution={"parameter_server": {"enabled": True}},
            ),
        ),
        (
            "TfMultiWorkerMirrored",
            lambda: tensorflow(
                instance_type="ml.p3.8xlarge",
                instance_count=2,
                distribution={"multi_worker_mirrored_strategy": {"enabled": True}},
            ),
        ),
        (
            "TfMpi",
            lambda: tensorflow(
                instance_type=P3,
                instance_count=2,
                distribution={"mpi": {"enabled": True, "processes_per_host": 8}},
            ),
        ),
        (
            "TfDataParallel",
            lambda: tensorflow(
                version="2.11.0",
                py="py39",
                instance_type=P3,
                instance_count=2,
                distribution={"smdistributed": {"dataparallel": {"enabled": True}}},
            ),
        ),
    ],
    "huggingface": [
        (
            "HfTorchDistributed",
            lambda: huggingface(
                instance_type=P4D,
                instance_count=2,
                distribution={"torch_distributed": {"enabled": True}},
            ),
        ),
        (
            "HfDataParallel",
            lambda: huggingface(
                instance_type=P4D,
                instance_count=2,
                distribution={"smdistributed": {"dataparallel": {"enabled": True}}},
            ),
        ),
        (
            "HfMpi",
            lambda: huggingface(
                instance_type=P4D,
                instance_count=2,
                distribution={"mpi": {"enabled": True, "processes_per_host": 8}},
            ),
        ),
    ],
    "heterogeneous": [
        (
            "HeteroDataParallel",
            lambda: pytorch(
                instance_groups=[DATA, GPU],
                distribution={
                    "smdistributed": {"dataparallel": {"enabled": True}},
                    "instance_groups": [GPU],
                },
            ),
        ),
        (
            "HeteroMpi",
            lambda: pytorch(
                instance_groups=[DATA, GPU],
                distribution={
                    "mpi": {"enabled": True, "processes_per_host": 8},
                    "instance_groups": [GPU],
                },
            ),
        ),
        (
            "OneGroupMpi",
            lambda: pytorch(instance_groups=[GPU], distribution={"mpi": {"enabled": True}}),
        ),
        (
            "HeteroTorchDistributed",
            lambda: pytorch(
                instance_groups=[DATA, GPU],
                distribution={"torch_distributed": {"enabled": True}, "instance_groups": [GPU]},
            ),
        ),
    ],
}

# The SDK's refusals, for the docs and the language's own checks.
REFUSED = {
    "torch_distributed-parameter-instance-type": lambda: pytorch(
        instance_type=INSTANCE_TYPE,
        instance_count=1,
        distribution={"torch_distributed": {"enabled": True}},
    ),
    "torch_distributed-pytorch-1.12": lambda: pytorch(
        version="1.12.1",
        py="py38",
        instance_type=P4D,
        instance_count=2,
        distribution={"torch_distributed": {"enabled": True}},
    ),
    "torch_distributed-cpu": lambda: pytorch(
        instance_type="ml.c5.xlarge",
        instance_count=2,
        distribution={"torch_distributed": {"enabled": True}},
    ),
    "dataparallel-tensorflow-2.13": lambda: tensorflow(
        instance_type=P3,
        instance_count=2,
        distribution={"smdistributed": {"dataparallel": {"enabled": True}}},
    ),
    "multi_worker_mirrored-tensorflow-2.8": lambda: tensorflow(
        version="2.8",
        py="py39",
        instance_type=P3,
        instance_count=2,
        distribution={"multi_worker_mirrored_strategy": {"enabled": True}},
    ),
    "mpi-trainium": lambda: pytorch(
        version="2.0.0",
        py="py310",
        instance_type="ml.trn1.32xlarge",
        instance_count=2,
        distribution={"mpi": {"enabled": True}},
    ),
    "groups-two-names": lambda: pytorch(
        instance_groups=[DATA, GPU],
        distribution={"mpi": {"enabled": True}, "instance_groups": [DATA, GPU]},
    ),
    "groups-none-named": lambda: pytorch(
        instance_groups=[DATA, GPU], distribution={"mpi": {"enabled": True}}
    ),
    "groups-parameter_server": lambda: tensorflow(
        instance_groups=[DATA, GPU],
        distribution={"parameter_server": {"enabled": True}, "instance_groups": [GPU]},
    ),
    "groups-without-estimator-groups": lambda: pytorch(
        instance_type=P4D,
        instance_count=2,
        distribution={"mpi": {"enabled": True}, "instance_groups": [GPU]},
    ),
    "modelparallel-bad-partitions": lambda: pytorch(
        version="1.13.1",
        py="py39",
        instance_type=P4D,
        instance_count=1,
        distribution={
            "smdistributed": {"modelparallel": {"enabled": True, "parameters": {"partitions": 0}}},
            "mpi": {"enabled": True},
        },
    ),
}


def definition(family):
    steps = []
    for name, make in CASES[family]:
        estimator = make()
        steps.append(
            TrainingStep(
                name=name, step_args=estimator.fit(inputs={"train": f"s3://{BUCKET}/train"})
            )
        )
    if family == "pytorch":
        tuner = HyperparameterTuner(
            pytorch(
                instance_type=P4D,
                instance_count=2,
                distribution={"torch_distributed": {"enabled": True}},
            ),
            objective_metric_name="val:loss",
            objective_type="Minimize",
            metric_definitions=[{"Name": "val:loss", "Regex": "loss=([0-9.]+)"}],
            hyperparameter_ranges={"epochs": IntegerParameter(1, 4)},
            max_jobs=2,
        )
        steps.append(
            TuningStep(
                name="TuneTorchDistributed",
                step_args=tuner.fit(inputs={"train": f"s3://{BUCKET}/train"}),
            )
        )
    parameters = [INSTANCE_TYPE] if family == "pytorch" else []
    pipeline = Pipeline(
        name=f"distribution-{family}", parameters=parameters, steps=steps, sagemaker_session=session
    )
    return json.loads(pipeline.definition())


errors = {}
for case, make in REFUSED.items():
    try:  # some refusals come from the estimator, some from its hyperparameters()
        step = TrainingStep(
            name="Refused", step_args=make().fit(inputs={"train": f"s3://{BUCKET}/train"})
        )
        Pipeline(name="refused", steps=[step], sagemaker_session=session).definition()
    except ValueError as error:
        errors[case] = " ".join(str(error.args[0]).split())
    else:
        errors[case] = None
result = {
    "sdk": f"sagemaker {sagemaker.__version__}",
    "definitions": {family: definition(family) for family in CASES},
    "errors": errors,
}
if BLOCKED:
    sys.exit(f"the SDK tried to reach AWS: {BLOCKED}")
json.dump(result, sys.stdout, indent=1, sort_keys=True)
print()
