"""smpipe convert: a registered version among a model's several containers (review of a091740)."""

from __future__ import annotations

import pytest

from cdk_sagemaker_pipelines.convert import ConversionError, convert_definition
from tests.conftest import ROLE

VERSION = "arn:aws:sagemaker:us-east-1:111122223333:model-package/churn/3"
IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"


def test_a_registered_version_among_containers_is_refused_naming_the_field() -> None:
    # Container takes an image; only a model of one registered version (PrimaryContainer)
    # converts, to model_package_name=. The problem names the container's field and says
    # so, rather than what Container's type check makes of a missing image.
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

    with pytest.raises(ConversionError) as raised:
        convert_definition(definition)

    [problem] = raised.value.problems
    assert (problem.step, problem.field) == ("Ensemble", "Arguments.Containers[1].ModelPackageName")
    assert "model_package_name=" in problem.message
