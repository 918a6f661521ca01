"""Snapshots of every stack of the reference app, readable in a pull request.

Each ``__snapshots__/test_app_snapshots/test_stack_template_matches_snapshot[<stack>].json``
is the synthesized template with the pipeline definition decoded and pretty-printed
(one value per line) and asset hashes masked: see ``snapshot_extension``. After an
intended change, refresh them with ``pytest tests/cdk/test_app_snapshots.py
--snapshot-update`` and review the diff like code.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import re
from typing import Any

import aws_cdk as cdk
import pytest

from cdk_sagemaker_pipelines.template import pipeline_definitions
from stacks import load_environments
from stacks.mlops_stack import MlOpsStack
from tests.cdk.assembly import reference_stacks, stack_test_id
from tests.cdk.conftest import SynthesizedApp, cdk_context, new_app
from tests.cdk.snapshot_extension import (
    ASSET_HASH_MASK,
    CloudFormationSnapshotExtension,
    render_template,
)
from tests.conftest import REPO


def test_the_app_has_exactly_one_stack_per_environment(reference_app: SynthesizedApp):
    # Every stack must be snapshotted: a new one needs an entry in cdk.json's environments.
    assert sorted(reference_app.templates) == sorted(reference_stacks())


@pytest.mark.parametrize("stack", reference_stacks(), ids=stack_test_id)
def test_stack_template_matches_snapshot(reference_app: SynthesizedApp, snapshot: Any, stack: str):
    template = reference_app.templates[stack]
    assert template == snapshot(extension_class=CloudFormationSnapshotExtension)


def test_snapshot_text_has_decoded_definitions_and_no_noise(reference_app: SynthesizedApp):
    template = reference_app.templates["dev/MlOps"]
    text = render_template(template)
    rendered = json.loads(text)

    assert "BootstrapVersion" not in text
    ((logical_id, definition),) = pipeline_definitions(template)
    body = rendered["Resources"][logical_id]["Properties"]["PipelineDefinition"][
        "PipelineDefinitionBody"
    ]
    assert isinstance(body, dict)
    assert [step["Name"] for step in body["Steps"]] == [
        step["Name"] for step in definition["Steps"]
    ]
    assert ASSET_HASH_MASK in text
    # One value per line: no line carries two JSON values. (A string's escaped quotes are
    # its text: the DataQualityCheck job's dataset_format variable is JSON in a string.)
    assert all(len(re.findall(r'(?<!\\)": ', line)) <= 1 for line in text.splitlines())
    assert render_template(template) == text  # deterministic


def test_render_template_masks_hashes_paths_and_bootstrap_noise():
    asset = "a" * 64
    template = {
        "Parameters": {"BootstrapVersion": {"Type": "String"}},
        "Rules": {"CheckBootstrapVersion": {"Assertions": []}},
        "Resources": {
            "Pipeline": {
                "Type": "AWS::SageMaker::Pipeline",
                "Properties": {
                    "PipelineDefinition": {
                        "PipelineDefinitionBody": {
                            "Fn::Join": [
                                "",
                                ['{"Version":"2020-12-01","Bucket":"', {"Ref": "Bucket1"}, '"}'],
                            ]
                        }
                    },
                    "Source": f"s3://assets/{asset}.py",
                    "Path": str(REPO / "cdk.out" / "x"),
                },
            }
        },
    }

    assert json.loads(render_template(template)) == {
        "Resources": {
            "Pipeline": {
                "Type": "AWS::SageMaker::Pipeline",
                "Properties": {
                    "PipelineDefinition": {
                        "PipelineDefinitionBody": {
                            "Bucket": "${Ref:Bucket1}",
                            "Version": "2020-12-01",
                        }
                    },
                    "Source": "s3://assets/[ASSET_HASH].py",
                    "Path": "[REPO]/cdk.out/x",
                },
            }
        }
    }


def _dev_stack_template(**changes: Any) -> dict[str, Any]:
    """The dev stack at its real construct path (dev/MlOps), with some settings changed."""
    config = dataclasses.replace(load_environments(cdk_context()["environments"])["dev"], **changes)
    stage = cdk.Stage(new_app(), "dev")
    MlOpsStack(stage, "MlOps", config=config)
    (stack,) = stage.synth().stacks
    template: dict[str, Any] = stack.template
    return template


def test_changing_one_instance_type_is_a_one_line_diff():
    before = render_template(_dev_stack_template())
    after = render_template(_dev_stack_template(training_instance_type="ml.c5.xlarge"))

    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    changed = [
        (line[0], line[1:].strip())
        for line in diff
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]

    assert changed == [
        ("-", '"DefaultValue": "ml.m5.large",'),
        ("+", '"DefaultValue": "ml.c5.xlarge",'),
    ]
