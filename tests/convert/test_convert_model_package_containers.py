"""smpipe convert: a registered version among a model's several containers (review of a091740)."""

from __future__ import annotations

from tests.conftest import ROLE
from tests.convert.test_convert import assert_round_trips, why_raw

VERSION = "arn:aws:sagemaker:us-east-1:111122223333:model-package/churn/3"
IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"


def test_a_registered_version_among_containers_is_a_raw_step_naming_the_field() -> None:
    # Container takes an image; only a model of one registered version (PrimaryContainer)
    # converts, to model_package_name=. The step is written as its entry, and the comment
    # names the container's field and says so, rather than what Container's type check
    # makes of a missing image.
    definition = {
        "Version": "2020-12-01",
        "Metadata": {},
        "Parameters": [],
        "Steps": [
            {
                "Name": "Ensemble",
                "Type": "Model",
                "Arguments": {
                    "Containers": [
                        {"Image": IMAGE, "Environment": {}},
                        {"ModelPackageName": VERSION},
                    ],
                    "ExecutionRoleArn": ROLE,
                },
            }
        ],
    }

    source = assert_round_trips(definition)

    why = why_raw(source, "ensemble")
    assert "as no step class writes it: Arguments.Containers[1].ModelPackageName: " in why
    assert "model_package_name=" in why
