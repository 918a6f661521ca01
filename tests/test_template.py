"""Reading pipeline definitions back out of synthesized templates (pure JSON, no aws_cdk)."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from typing import Any

import pytest

from cdk_sagemaker_pipelines.template import (
    PIPELINE_TYPE,
    decode_definition_body,
    decode_text,
    pipeline_definitions,
    placeholder,
    render_template,
)


@pytest.mark.parametrize(
    ("intrinsic", "rendered"),
    [
        ({"Ref": "Bucket1"}, "${Ref:Bucket1}"),
        ({"Ref": "AWS::Region"}, "${Ref:AWS::Region}"),
        ({"Fn::GetAtt": ["Role1", "Arn"]}, "${GetAtt:Role1.Arn}"),
        ({"Fn::GetAtt": "Role1.Arn"}, "${GetAtt:Role1.Arn}"),
        ({"Fn::Sub": "cdk-${AWS::AccountId}"}, "${Sub:cdk-${AWS::AccountId}}"),
        (
            {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::b"]]},
            "arn:${Ref:AWS::Partition}:s3:::b",
        ),
        (
            {"Fn::FindInMap": ["Images", {"Ref": "AWS::Region"}, "uri"]},
            "${FindInMap:Images.${Ref:AWS::Region}.uri}",
        ),
        # Anything else: the function name and its arguments as sorted JSON.
        (
            {"Fn::Select": [1, {"Fn::Split": ["/", "a/b"]}]},
            '${Select:[1, {"Fn::Split": ["/", "a/b"]}]}',
        ),
        ({"Fn::Sub": ["${X}", {"X": "y"}]}, '${Sub:["${X}", {"X": "y"}]}'),
        ({"Fn::ImportValue": "Shared"}, '${ImportValue:"Shared"}'),
    ],
)
def test_placeholder(intrinsic: dict[str, Any], rendered: str):
    assert placeholder(intrinsic) == rendered


def test_placeholder_needs_exactly_one_function():
    with pytest.raises(ValueError, match="too many values to unpack"):
        placeholder({"Ref": "A", "Fn::GetAtt": ["B", "Arn"]})


def test_decode_text_of_a_plain_string():
    assert decode_text('{"a":1}') == '{"a":1}'


def test_decode_text_escapes_intrinsics_inside_json_strings():
    body = {
        "Fn::Join": [
            "",
            [
                '{"RoleArn":"',
                {"Fn::GetAtt": ["Role", "Arn"]},
                '","Image":"',
                {"Fn::Sub": 'a"b'},
                '"}',
            ],
        ]
    }
    text = decode_text(body)
    assert text == '{"RoleArn":"${GetAtt:Role.Arn}","Image":"${Sub:a\\"b}"}'
    assert json.loads(text) == {"RoleArn": "${GetAtt:Role.Arn}", "Image": '${Sub:a"b}'}


def test_decode_text_quotes_intrinsics_outside_json_strings():
    # Stack.to_json_string renders number and list tokens bare, outside any string.
    body = {
        "Fn::Join": [
            "",
            [
                '{"n":',
                {"Ref": "Count"},
                ',"s":"',
                {"Ref": "Name"},
                '","l":',
                {"Fn::GetAtt": ["CdkJsonStringifyRefZ", "Value"]},
                ',"q":"say \\"',
                {"Ref": "Quoted"},
                '\\""}',
            ],
        ]
    }
    assert json.loads(decode_text(body)) == {
        "n": "${Ref:Count}",
        "s": "${Ref:Name}",
        "l": "${GetAtt:CdkJsonStringifyRefZ.Value}",
        "q": 'say "${Ref:Quoted}"',
    }


def test_decode_text_with_a_separator_and_a_custom_resolver():
    def resolve(intrinsic: Mapping[str, Any]) -> str:
        return "RESOLVED"

    body = {"Fn::Join": ["/", ['{"a":"x', {"Ref": "B"}, 'y"}']]}
    assert decode_text(body, resolve) == '{"a":"x/RESOLVED/y"}'


def test_decode_text_rejects_other_values():
    with pytest.raises(ValueError, match="not a definition body: 42"):
        decode_text(42)


def test_decode_definition_body():
    body = {"Fn::Join": ["", ['{"Version":"2020-12-01","Steps":[{"Name":"', {"Ref": "N"}, '"}]}']]}
    assert decode_definition_body(body) == {
        "Version": "2020-12-01",
        "Steps": [{"Name": "${Ref:N}"}],
    }
    assert decode_definition_body('{"Version":"2020-12-01"}') == {"Version": "2020-12-01"}


def test_decode_definition_body_rejects_non_objects():
    with pytest.raises(ValueError, match="not a JSON object"):
        decode_definition_body("[1, 2]")
    with pytest.raises(json.JSONDecodeError):
        decode_definition_body("{broken")


def test_pipeline_definitions_yields_every_pipeline_with_a_body():
    definition = {"Version": "2020-12-01", "Steps": []}
    template = {
        "Resources": {
            "First": {
                "Type": PIPELINE_TYPE,
                "Properties": {
                    "PipelineDefinition": {"PipelineDefinitionBody": json.dumps(definition)}
                },
            },
            "FromS3": {
                "Type": PIPELINE_TYPE,
                "Properties": {
                    "PipelineDefinition": {
                        "PipelineDefinitionS3Location": {"Bucket": "b", "Key": "k"}
                    }
                },
            },
            "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {}},
            "Second": {
                "Type": PIPELINE_TYPE,
                "Properties": {
                    "PipelineDefinition": {
                        "PipelineDefinitionBody": {
                            "Fn::Join": ["", ['{"Steps":[],"Role":"', {"Ref": "R"}, '"}']]
                        }
                    }
                },
            },
        }
    }
    assert list(pipeline_definitions(template)) == [
        ("First", definition),
        ("Second", {"Steps": [], "Role": "${Ref:R}"}),
    ]
    assert list(pipeline_definitions({})) == []
    assert list(pipeline_definitions(template, lambda _: "X"))[1] == (
        "Second",
        {"Steps": [], "Role": "X"},
    )


def test_render_template_is_public_snapshot_text_of_a_template(tmp_path):
    # What an app of your own snapshots (docs/own-project.md): the same text
    # as the reference app's stack snapshots, without this repository's test helpers.
    from cdk_sagemaker_pipelines.template import ASSET_HASH_MASK

    project = tmp_path / "team-app"
    template = {
        "Parameters": {"BootstrapVersion": {"Type": "String"}},
        "Rules": {"CheckBootstrapVersion": {"Assertions": []}},
        "Resources": {
            "Pipeline": {
                "Type": PIPELINE_TYPE,
                "Properties": {
                    "PipelineDefinition": {
                        "PipelineDefinitionBody": {
                            "Fn::Join": [
                                "",
                                ['{"Version":"2020-12-01","Bucket":"', {"Ref": "Bucket1"}, '"}'],
                            ]
                        }
                    },
                    "Source": f"s3://assets/{'a' * 64}.py",
                    "Path": str(project / "cdk.out" / "x"),
                },
            },
            "Dashboard": {
                "Type": "AWS::CloudWatch::Dashboard",
                "Properties": {"DashboardBody": {"Fn::Join": ["", ['{"widgets":[]}']]}},
            },
        },
    }

    text = render_template(template, path_masks={str(project): "[PROJECT]"})

    assert json.loads(text) == {
        "Resources": {
            "Pipeline": {
                "Type": PIPELINE_TYPE,
                "Properties": {
                    "PipelineDefinition": {
                        "PipelineDefinitionBody": {
                            "Bucket": "${Ref:Bucket1}",
                            "Version": "2020-12-01",
                        }
                    },
                    "Source": f"s3://assets/{ASSET_HASH_MASK}.py",
                    "Path": "[PROJECT]/cdk.out/x",
                },
            },
            "Dashboard": {
                "Type": "AWS::CloudWatch::Dashboard",
                "Properties": {"DashboardBody": {"widgets": []}},
            },
        }
    }
    assert text.endswith("}\n")
    assert all(line.count('": ') <= 1 for line in text.splitlines())  # one value per line
    assert "BootstrapVersion" in json.dumps(template)  # the template itself is left as it was
    # Without masks of its own, a path under the temporary directory is still masked.
    scratch = {"Resources": {"R": {"Properties": {"Path": f"{tempfile.gettempdir()}/x"}}}}
    assert json.loads(render_template(scratch))["Resources"]["R"]["Properties"] == {
        "Path": "[TMP]/x"
    }


@pytest.mark.parametrize(
    ("template", "path_masks", "message"),
    [
        ("cdk.out/dev.template.json", None, "template must be a synthesized template as a mapping"),
        ({"Resources": ["Bucket"]}, None, "the template's Resources must be a mapping"),
        ({"Resources": {}}, ["/home/me/project"], "path_masks must map paths to masks"),
    ],
    ids=["a-path", "resources-list", "masks-list"],
)
def test_render_template_names_a_wrong_argument(
    template: Any, path_masks: Any, message: str
) -> None:
    # A path given for the template used to fail inside dict() with "dictionary update
    # sequence element #0 has length 1; 2 is required".
    with pytest.raises(TypeError, match=f"^render_template: {message}"):
        render_template(template, path_masks=path_masks)


def _policy_template(resources: list[Any], prefixes: list[str]) -> dict[str, Any]:
    statements = [
        {"Action": "s3:GetObject", "Effect": "Allow", "Resource": resources},
        {
            "Action": "s3:ListBucket",
            "Condition": {"StringLike": {"s3:prefix": prefixes}},
            "Effect": "Allow",
            "Resource": "arn:aws:s3:::assets",
        },
    ]
    return {
        "Resources": {
            "Policy": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {
                    "PolicyDocument": {"Statement": statements, "Version": "2012-10-17"}
                },
            }
        }
    }


def test_render_template_an_edited_script_moves_no_iam_resource():
    # CDK sorts a statement's resources by their text, hashes included: a script edited
    # (its hash from 1… to e…) moves its resource past the archive's. Masked, the two
    # renderings would differ in order only, lines a reviewer reads as an IAM change.
    def arn(digest: str, extension: str) -> dict[str, Any]:
        return {"Fn::Join": ["", ["arn:aws:s3:::assets/", f"{digest * 64}.{extension}*"]]}

    before = [arn("0", "py"), arn("1", "py"), arn("4", "gz")]
    after = [arn("0", "py"), arn("4", "gz"), arn("e", "py")]
    # The listing's prefixes are in the pipeline's order, not sorted: they stay as they are.
    prefixes = [f"{'1' * 64}.py*", f"{'0' * 64}.gz*"]

    text = render_template(_policy_template(before, prefixes))

    assert render_template(_policy_template(after, prefixes)) == text
    (read, listing) = json.loads(text)["Resources"]["Policy"]["Properties"]["PolicyDocument"][
        "Statement"
    ]
    assert [entry["Fn::Join"][1][1] for entry in read["Resource"]] == [
        "[ASSET_HASH].gz*",
        "[ASSET_HASH].py*",
        "[ASSET_HASH].py*",
    ]
    assert listing["Condition"]["StringLike"]["s3:prefix"] == [
        "[ASSET_HASH].py*",
        "[ASSET_HASH].gz*",
    ]


def test_render_template_keeps_the_order_of_iam_lists_naming_no_asset():
    resources = ["arn:aws:s3:::b/z*", "arn:aws:s3:::b/a*"]
    rendered = json.loads(render_template(_policy_template(resources, [])))

    statement = rendered["Resources"]["Policy"]["Properties"]["PolicyDocument"]["Statement"][0]
    assert statement["Resource"] == resources
