# mypy: ignore-errors
"""Generate ``sdk-job-tags.json``: what the SageMaker SDK v2 writes for the ``tags`` of its
processors, estimators, tuners, transformers, models, AutoML jobs and check jobs.

Not part of the project (which never imports the SDK) nor of its tests: run it with the
interpreter of an environment that has ``sagemaker`` (2.257.7 for the checked-in file),
offline (placeholder credentials; telemetry patched out; every socket connection and AWS API
call refused, and none is attempted; the check steps' S3 uploads return their destination)::

    SAGEMAKER_SUPPRESS_V2_WARNING=1 /tmp/sdk-venv/bin/python \
        tests/definition/sdk_job_tags/generate_sdk_job_tags.py \
        > tests/definition/sdk_job_tags/sdk-job-tags.json

It prints ``{"sdk": <version>, "definition": <pipeline.definition()>}``: one pipeline of a
``ProcessingStep`` (``Processor(tags=)``), a ``TrainingStep`` (``Estimator(tags=)``, one
value a pipeline parameter), a ``TuningStep`` (``HyperparameterTuner(tags=)`` over an
estimator with tags of its own, which the tuner appends), a ``ModelStep``
(``Model.create(tags=)``), a ``TransformStep`` (``Transformer(tags=)``), an ``AutoMLStep``
(``AutoML(tags=)``) and a ``QualityCheckStep`` and ``ClarifyCheckStep``
(``CheckJobConfig(tags=)``). ``tests/definition/test_sdk_job_tags.py`` builds the same steps
in the language and compares the entries.
"""

import json
import sys
from pathlib import Path

# Placeholder credentials and no logging before the SDK loads; no network, no AWS calls.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from sdk_offline import BLOCKED, offline_session

# isort: split

import sagemaker
import sagemaker.s3
from sagemaker.automl.automl import AutoML
from sagemaker.clarify import BiasConfig, DataConfig
from sagemaker.estimator import Estimator
from sagemaker.inputs import TrainingInput
from sagemaker.model import Model
from sagemaker.model_monitor.dataset_format import DatasetFormat
from sagemaker.processing import Processor
from sagemaker.transformer import Transformer
from sagemaker.tuner import ContinuousParameter, HyperparameterTuner
from sagemaker.workflow.automl_step import AutoMLStep
from sagemaker.workflow.check_job_config import CheckJobConfig
from sagemaker.workflow.clarify_check_step import ClarifyCheckStep, DataBiasCheckConfig
from sagemaker.workflow.model_step import ModelStep
from sagemaker.workflow.parameters import ParameterString
from sagemaker.workflow.pipeline import Pipeline
from sagemaker.workflow.quality_check_step import DataQualityCheckConfig, QualityCheckStep
from sagemaker.workflow.steps import ProcessingStep, TrainingStep, TransformStep, TuningStep

REGION, ROLE, BUCKET = "us-east-1", "arn:aws:iam::111122223333:role/SageMakerRole", "my-bucket"
IMAGE = "111122223333.dkr.ecr.us-east-1.amazonaws.com/job:1"
session = offline_session(REGION, BUCKET)


# The check steps upload the configuration they build: the upload returns its destination.
def _uploaded(local_path, desired_s3_uri, *args, **kwargs):
    return f"{desired_s3_uri.rstrip('/')}/{Path(local_path).name}"


sagemaker.s3.S3Uploader.upload = staticmethod(_uploaded)
sagemaker.s3.S3Uploader.upload_string_as_file_body = staticmethod(
    lambda body, desired_s3_uri, *args, **kwargs: desired_s3_uri
)

TEAM = ParameterString(name="Team", default_value="churn")


def tags():
    """A new list each time: the tuner appends its estimator's tags to the list it was given."""
    return [{"Key": "cost-centre", "Value": "CC-1234"}, {"Key": "team", "Value": "churn"}]


TRAIN = TrainingInput(s3_data=f"s3://{BUCKET}/train/", content_type="text/csv")

processor = Processor(
    role=ROLE,
    image_uri=IMAGE,
    instance_count=1,
    instance_type="ml.m5.large",
    entrypoint=["python3", "/opt/ml/code/prep.py"],
    tags=tags(),
    sagemaker_session=session,
)
prep = ProcessingStep(name="Prep", step_args=processor.run())


def estimator(**settings):
    return Estimator(
        image_uri=IMAGE,
        role=ROLE,
        instance_type="ml.m5.xlarge",
        instance_count=1,
        output_path=f"s3://{BUCKET}/models",
        sagemaker_session=session,
        **settings,
    )


train = TrainingStep(
    name="Train",
    step_args=estimator(
        tags=[{"Key": "cost-centre", "Value": "CC-1234"}, {"Key": "team", "Value": TEAM}]
    ).fit(inputs={"train": TRAIN}),
)
tuner = HyperparameterTuner(
    estimator(tags=[{"Key": "owner", "Value": "ml-platform"}]),
    objective_metric_name="val:auc",
    hyperparameter_ranges={"lr": ContinuousParameter(1e-4, 1e-1)},
    metric_definitions=[{"Name": "val:auc", "Regex": "val_auc=([0-9.]+)"}],
    max_jobs=2,
    max_parallel_jobs=1,
    tags=tags(),
)
tune = TuningStep(name="Tune", step_args=tuner.fit(inputs={"train": TRAIN}))
model = Model(
    image_uri=IMAGE,
    model_data=f"s3://{BUCKET}/models/model.tar.gz",
    role=ROLE,
    sagemaker_session=session,
)
create_model = ModelStep(
    name="CreateModel", step_args=model.create(instance_type="ml.m5.large", tags=tags())
)
transformer = Transformer(
    model_name="churn-model",
    instance_count=1,
    instance_type="ml.m5.large",
    output_path=f"s3://{BUCKET}/scores",
    base_transform_job_name="score",  # else the SDK describes the model for its image
    tags=tags(),
    sagemaker_session=session,
)
score = TransformStep(
    name="Score",
    step_args=transformer.transform(data=f"s3://{BUCKET}/batch/", content_type="text/csv"),
)
automl = AutoML(
    role=ROLE,
    target_attribute_name="churn",
    output_path=f"s3://{BUCKET}/automl",
    mode="ENSEMBLING",
    tags=tags(),
    sagemaker_session=session,
)
auto = AutoMLStep(
    name="Auto",
    step_args=automl.fit(
        inputs=sagemaker.automl.automl.AutoMLInput(
            inputs=f"s3://{BUCKET}/automl/train.csv", target_attribute_name="churn"
        ),
        wait=False,
    ),
)
check_job = CheckJobConfig(
    role=ROLE,
    instance_count=1,
    instance_type="ml.m5.xlarge",
    tags=tags(),
    sagemaker_session=session,
)
quality = QualityCheckStep(
    name="Quality",
    quality_check_config=DataQualityCheckConfig(
        baseline_dataset=f"s3://{BUCKET}/train/",
        dataset_format=DatasetFormat.csv(header=True),
        output_s3_uri=f"s3://{BUCKET}/dq",
    ),
    check_job_config=check_job,
    skip_check=False,
    register_new_baseline=False,
    supplied_baseline_statistics=f"s3://{BUCKET}/stats.json",
    supplied_baseline_constraints=f"s3://{BUCKET}/constraints.json",
)
bias = ClarifyCheckStep(
    name="Bias",
    clarify_check_config=DataBiasCheckConfig(
        data_config=DataConfig(
            s3_data_input_path=f"s3://{BUCKET}/train/",
            s3_output_path=f"s3://{BUCKET}/bias",
            label="churn",
            dataset_type="text/csv",
        ),
        data_bias_config=BiasConfig(label_values_or_threshold=[1], facet_name="age"),
    ),
    check_job_config=check_job,
    skip_check=False,
    register_new_baseline=False,
    supplied_baseline_constraints=f"s3://{BUCKET}/bias-constraints.json",
)
pipeline = Pipeline(
    name="job-tags",
    parameters=[TEAM],
    steps=[prep, train, tune, create_model, score, auto, quality, bias],
    sagemaker_session=session,
)
definition = json.loads(pipeline.definition())

if BLOCKED:
    raise SystemExit(f"the SDK tried to reach AWS: {BLOCKED}")
print(json.dumps({"sdk": sagemaker.__version__, "definition": definition}, indent=2))
