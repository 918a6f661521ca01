# mypy: ignore-errors
"""Generate ``sdk-training-settings.json``: what the SageMaker SDK v2 writes for warm pools,
retries and a checkpoint's local path.

Not part of the project (which never imports the SDK) nor of its tests: run it with the
interpreter of an environment that has ``sagemaker`` (2.257.7 for the checked-in file),
offline (placeholder credentials; telemetry patched out; every socket connection and AWS API
call refused, and none is attempted)::

    SAGEMAKER_SUPPRESS_V2_WARNING=1 /tmp/sdk-venv/bin/python \
        tests/definition/sdk_training_settings/generate_sdk_training_settings.py \
        > tests/definition/sdk_training_settings/sdk-training-settings.json

It prints ``{"sdk": <version>, "definition": <pipeline.definition()>, "local_path_only":
<the Arguments of a TrainingStep whose estimator has checkpoint_local_path and no
checkpoint_s3_uri>}``. The pipeline holds ``TrainingStep``s of an ``Estimator`` with
``keep_alive_period_in_seconds``, ``max_retry_attempts``, ``checkpoint_s3_uri`` and
``checkpoint_local_path``, literal (``Train``) and pipeline parameters (``TrainParameters``),
a ``TuningStep`` of a ``HyperparameterTuner`` over such an estimator (``Tune``) and one of
``HyperparameterTuner.create`` over two estimators, one with the settings and one without
(``TuneAlgorithms``). ``tests/definition/test_sdk_training_settings.py`` builds the same
steps in the language and compares the entries.
"""

import json
import sys
from pathlib import Path

# Placeholder credentials and no logging before the SDK loads; no network, no AWS calls.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from sdk_offline import BLOCKED, offline_session

# isort: split

import sagemaker
from sagemaker.estimator import Estimator
from sagemaker.inputs import TrainingInput
from sagemaker.tuner import ContinuousParameter, HyperparameterTuner
from sagemaker.workflow.parameters import ParameterInteger, ParameterString
from sagemaker.workflow.pipeline import Pipeline
from sagemaker.workflow.steps import TrainingStep, TuningStep

REGION, ROLE, BUCKET = "us-east-1", "arn:aws:iam::111122223333:role/SageMakerRole", "my-bucket"
IMAGE = "111122223333.dkr.ecr.us-east-1.amazonaws.com/train:1"
session = offline_session(REGION, BUCKET)

KEEP_ALIVE = ParameterInteger(name="KeepAlive", default_value=600)
RETRIES = ParameterInteger(name="RetryAttempts", default_value=2)
CHECKPOINTS = ParameterString(name="CheckpointUri", default_value=f"s3://{BUCKET}/checkpoints")
LOCAL_PATH = ParameterString(name="CheckpointPath", default_value="/opt/ml/checkpoints")
TRAIN = TrainingInput(s3_data=f"s3://{BUCKET}/train/", content_type="text/csv")
METRICS = [{"Name": "val:auc", "Regex": "val_auc=([0-9.]+)"}]
RANGES = {"lr": ContinuousParameter(1e-4, 1e-1)}


def estimator(**settings):
    return Estimator(
        image_uri=IMAGE,
        role=ROLE,
        instance_type="ml.m5.xlarge",
        instance_count=1,
        output_path=f"s3://{BUCKET}/models",
        hyperparameters={"epochs": 10},
        metric_definitions=METRICS,
        sagemaker_session=session,
        **settings,
    )


literal = estimator(
    keep_alive_period_in_seconds=1800,
    max_retry_attempts=3,
    checkpoint_s3_uri=f"s3://{BUCKET}/checkpoints",
    checkpoint_local_path="/opt/ml/checkpoints/run",
)
parameters = estimator(
    keep_alive_period_in_seconds=KEEP_ALIVE,
    max_retry_attempts=RETRIES,
    checkpoint_s3_uri=CHECKPOINTS,
    checkpoint_local_path=LOCAL_PATH,
)
train = TrainingStep(name="Train", step_args=literal.fit(inputs={"train": TRAIN}))
train_parameters = TrainingStep(
    name="TrainParameters", step_args=parameters.fit(inputs={"train": TRAIN})
)
tuner = HyperparameterTuner(
    estimator(
        keep_alive_period_in_seconds=1800,
        max_retry_attempts=3,
        checkpoint_s3_uri=f"s3://{BUCKET}/tune-checkpoints",
        checkpoint_local_path="/opt/ml/checkpoints/tune",
    ),
    objective_metric_name="val:auc",
    hyperparameter_ranges=RANGES,
    metric_definitions=METRICS,
    max_jobs=2,
    max_parallel_jobs=1,
)
tune = TuningStep(name="Tune", step_args=tuner.fit(inputs={"train": TRAIN}))
several = HyperparameterTuner.create(
    estimator_dict={
        "plain": estimator(),
        "retried": estimator(
            max_retry_attempts=RETRIES,
            checkpoint_s3_uri=f"s3://{BUCKET}/tune-checkpoints",
            checkpoint_local_path=LOCAL_PATH,
        ),
    },
    objective_metric_name_dict={"plain": "val:auc", "retried": "val:auc"},
    hyperparameter_ranges_dict={"plain": RANGES, "retried": RANGES},
    metric_definitions_dict={"plain": METRICS, "retried": METRICS},
    max_jobs=2,
    max_parallel_jobs=1,
)
tune_algorithms = TuningStep(
    name="TuneAlgorithms",
    step_args=several.fit(
        inputs={"plain": {"train": TRAIN}, "retried": {"train": TRAIN}},
        include_cls_metadata={"plain": False, "retried": False},
    ),
)
pipeline = Pipeline(
    name="training-settings",
    parameters=[KEEP_ALIVE, RETRIES, CHECKPOINTS, LOCAL_PATH],
    steps=[train, train_parameters, tune, tune_algorithms],
    sagemaker_session=session,
)
definition = json.loads(pipeline.definition())

# The SDK writes CheckpointConfig only with an S3 URI: a local path alone is dropped.
alone = TrainingStep(
    name="LocalPathOnly",
    step_args=estimator(checkpoint_local_path="/opt/ml/checkpoints/run").fit(
        inputs={"train": TRAIN}
    ),
)
local_path_only = json.loads(
    Pipeline(name="alone", steps=[alone], sagemaker_session=session).definition()
)["Steps"][0]["Arguments"]

if BLOCKED:
    raise SystemExit(f"the SDK tried to reach AWS: {BLOCKED}")
print(
    json.dumps(
        {
            "sdk": sagemaker.__version__,
            "definition": definition,
            "local_path_only": local_path_only,
        },
        indent=2,
    )
)
