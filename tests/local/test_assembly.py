"""Loading a pipeline from a cloud assembly (cdk.out), against a hand-written fixture.

The fixture follows the conventions of ``cdk synth`` output: a Stage's nested assembly,
an asset manifest with file and directory assets in the bootstrap bucket, the definition
body as an ``Fn::Join`` of strings and intrinsics, framework images through a
region-keyed mapping, construct paths in ``additionalMetadataFile``.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from cdk_sagemaker_pipelines.definition import validate_definition
from cdk_sagemaker_pipelines.local import LocalConfig, LocalRunError, LocalRunner, ResourceMap
from cdk_sagemaker_pipelines.local.assembly import _Resolver, _Stack, load_assembly, pipeline_paths

ASSETS = {"Fn::Sub": "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}"}
IMAGE = {"Fn::FindInMap": ["SklearnImages", {"Ref": "AWS::Region"}, "uri"]}
SKLEARN = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
PREP, TRAIN, FN, DATA = "1" * 64, "2" * 64, "3" * 64, "4" * 64


class Cfn:
    """An intrinsic inside the definition body (rendered as a Join part)."""

    def __init__(self, value: Any) -> None:
        self.value = value


def join(structure: Any) -> dict[str, Any]:
    """Render ``structure`` as CDK does: ``Fn::Join`` of JSON text and intrinsics."""
    found: list[Any] = []

    def mark(value: Any) -> Any:
        if isinstance(value, Cfn):
            found.append(value.value)
            return f"@@{len(found) - 1}@@"
        if isinstance(value, dict):
            return {k: mark(v) for k, v in value.items()}
        if isinstance(value, list):
            return [mark(v) for v in value]
        return value

    text = json.dumps(mark(structure), separators=(",", ":"))
    parts: list[Any] = []
    for index, chunk in enumerate(text.split("@@")):
        parts.append(found[int(chunk)] if index % 2 else chunk)
    return {"Fn::Join": ["", parts]}


def code_uri(key: str) -> Cfn:
    return Cfn({"Fn::Join": ["", ["s3://", ASSETS, f"/{key}"]]})


def output(step: str) -> dict[str, Any]:
    bucket = Cfn({"Fn::Join": ["", ["s3://", {"Ref": "ArtifactsBucketAB12CD34"}]]})
    values = [bucket, "executions", {"Get": "Execution.PipelineName"}]
    values += [step, {"Get": "Execution.PipelineExecutionId"}, "out"]
    return {"Std:Join": {"On": "/", "Values": values}}


PREP_TRAIN = {"Get": "Steps.Prep.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri"}
PUBLISHING_ROLE = (
    "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/"
    "cdk-hnb659fds-file-publishing-role-${AWS::AccountId}-${AWS::Region}"
)


def s3_arn(bucket: Any, key: str = "") -> dict[str, Any]:
    return {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::", bucket, key]]}


STEP_ROLE_STATEMENTS = [
    {
        "Sid": "Read",
        "Effect": "Allow",
        "Action": ["s3:GetObject", "s3:GetObjectVersion"],
        "Resource": [
            s3_arn({"Ref": "DataBucket11AA22BB"}, "/curated/*"),
            s3_arn(ASSETS, "/*"),
            s3_arn({"Ref": "ArtifactsBucketAB12CD34"}, "/executions/dev-ml-training/Prep/*/out*"),
        ],
    },
    {
        "Sid": "List",
        "Effect": "Allow",
        "Action": "s3:ListBucket",
        "Resource": [
            s3_arn({"Ref": "DataBucket11AA22BB"}),
            s3_arn({"Ref": "ArtifactsBucketAB12CD34"}),
        ],
        "Condition": {"StringLike": {"s3:prefix": ["curated/*", "executions/dev-ml-training/*"]}},
    },
    {
        "Sid": "Write",
        "Effect": "Allow",
        "Action": "s3:PutObject",
        "Resource": s3_arn({"Ref": "ArtifactsBucketAB12CD34"}, "/executions/dev-ml-training/*"),
    },
    # The data bucket's default key, Prep's output key and (by its alias) Train's.
    {
        "Sid": "UseDataKey",
        "Effect": "Allow",
        "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
        "Resource": {"Fn::GetAtt": ["DataKeyAB12CD34", "Arn"]},
    },
]


def sagemaker_arn(resource: str) -> dict[str, Any]:
    region, account = {"Ref": "AWS::Region"}, {"Ref": "AWS::AccountId"}
    values = ["arn:", {"Ref": "AWS::Partition"}, ":sagemaker:", region, ":", account, ":"]
    return {"Fn::Join": ["", [*values, resource]]}


GROUP = "dev-ml-models"
# What SageMaker Pipelines calls as the pipeline's role, as the construct derives it
# (local/_service_calls.py checks it before each step runs).
PIPELINE_ROLE_STATEMENTS = [
    {
        "Sid": "ProcessingJobs",
        "Effect": "Allow",
        "Action": ["sagemaker:CreateProcessingJob", "sagemaker:DescribeProcessingJob"],
        "Resource": sagemaker_arn("processing-job/pipelines-*"),
    },
    {
        "Sid": "TrainingJobs",
        "Effect": "Allow",
        "Action": ["sagemaker:CreateTrainingJob", "sagemaker:DescribeTrainingJob"],
        "Resource": sagemaker_arn("training-job/pipelines-*"),
    },
    {
        "Sid": "RegisterModelVersionsPendingApproval",
        "Effect": "Allow",
        "Action": "sagemaker:CreateModelPackage",
        "Resource": [
            sagemaker_arn(f"model-package/{GROUP}/*"),
            sagemaker_arn(f"model-package-group/{GROUP}"),
        ],
        "Condition": {"StringEquals": {"sagemaker:ModelApprovalStatus": "PendingManualApproval"}},
    },
    {
        "Sid": "PassStepRoleToSageMaker",
        "Effect": "Allow",
        "Action": "iam:PassRole",
        "Resource": {"Fn::GetAtt": ["StepRoleAB12CD34", "Arn"]},
        "Condition": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
    },
    {
        "Sid": "InvokeLambdaSteps",
        "Effect": "Allow",
        "Action": "lambda:InvokeFunction",
        "Resource": {"Fn::GetAtt": ["CountFn55667788", "Arn"]},
    },
]
# A RegisterModel step (write_cdk_out(register=True)): registers Train's model.
REGISTER_STEP = {
    "Name": "Register",
    "Type": "RegisterModel",
    "Arguments": {
        "ModelPackageGroupName": GROUP,
        "ModelApprovalStatus": "PendingManualApproval",
        "InferenceSpecification": {
            "Containers": [
                {
                    "Image": Cfn(IMAGE),
                    "ModelDataUrl": {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"},
                }
            ],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
    },
}


def definition(register: bool = False) -> dict[str, Any]:
    role = Cfn({"Fn::GetAtt": ["StepRoleAB12CD34", "Arn"]})
    return {
        "Version": "2020-12-01",
        "Metadata": {},
        "Parameters": [{"Name": "InputDataKey", "Type": "String", "DefaultValue": "curated/"}],
        "Steps": [
            {
                "Name": "Prep",
                "Type": "Processing",
                "Arguments": {
                    "ProcessingResources": {
                        "ClusterConfig": {
                            "InstanceType": "ml.m5.large",
                            "InstanceCount": 1,
                            "VolumeSizeInGB": 30,
                        }
                    },
                    "AppSpecification": {
                        "ImageUri": Cfn(IMAGE),
                        "ContainerEntrypoint": [
                            "python3",
                            f"/opt/ml/processing/input/code/{PREP}.py",
                        ],
                    },
                    "RoleArn": role,
                    "ProcessingInputs": [
                        {
                            "InputName": "raw",
                            "S3Input": {
                                "S3Uri": {
                                    "Std:Join": {
                                        "On": "",
                                        "Values": [
                                            "s3://",
                                            Cfn({"Ref": "DataBucket11AA22BB"}),
                                            "/",
                                            {"Get": "Parameters.InputDataKey"},
                                        ],
                                    }
                                },
                                "LocalPath": "/opt/ml/processing/input",
                                "S3DataType": "S3Prefix",
                                "S3InputMode": "File",
                            },
                        },
                        {
                            "InputName": "code",
                            "S3Input": {
                                "S3Uri": code_uri(f"{PREP}.py"),
                                "LocalPath": "/opt/ml/processing/input/code",
                                "S3DataType": "S3Prefix",
                                "S3InputMode": "File",
                            },
                        },
                    ],
                    "ProcessingOutputConfig": {
                        "KmsKeyId": Cfn({"Fn::GetAtt": ["DataKeyAB12CD34", "Arn"]}),
                        "Outputs": [
                            {
                                "OutputName": "train",
                                "S3Output": {
                                    "S3Uri": output("Prep"),
                                    "LocalPath": "/opt/ml/processing/train",
                                    "S3UploadMode": "EndOfJob",
                                },
                            }
                        ],
                    },
                },
            },
            {
                "Name": "Count",
                "Type": "Lambda",
                "Arguments": {"source": PREP_TRAIN},
                "FunctionArn": Cfn({"Fn::GetAtt": ["CountFn55667788", "Arn"]}),
                "OutputParameters": [{"OutputName": "rows", "OutputType": "Integer"}],
            },
            {
                "Name": "Train",
                "Type": "Training",
                "Arguments": {
                    "AlgorithmSpecification": {
                        "TrainingImage": Cfn(IMAGE),
                        "TrainingInputMode": "File",
                    },
                    "OutputDataConfig": {
                        "S3OutputPath": output("Train"),
                        "KmsKeyId": Cfn({"Ref": "DataKeyAliasAB12CD34"}),
                    },
                    "StoppingCondition": {"MaxRuntimeInSeconds": 600},
                    "ResourceConfig": {
                        "InstanceCount": 1,
                        "InstanceType": "ml.m5.large",
                        "VolumeSizeInGB": 30,
                    },
                    "RoleArn": role,
                    "InputDataConfig": [
                        {
                            "ChannelName": "train",
                            "DataSource": {
                                "S3DataSource": {
                                    "S3DataType": "S3Prefix",
                                    "S3DataDistributionType": "FullyReplicated",
                                    "S3Uri": PREP_TRAIN,
                                }
                            },
                        },
                        {
                            "ChannelName": "code",
                            "DataSource": {
                                "S3DataSource": {
                                    "S3DataType": "S3Prefix",
                                    "S3DataDistributionType": "FullyReplicated",
                                    "S3Uri": code_uri(f"{TRAIN}.gz"),
                                }
                            },
                        },
                    ],
                    "HyperParameters": {
                        "rows": {
                            "Std:Join": {
                                "On": "",
                                "Values": [{"Get": "Steps.Count.OutputParameters['rows']"}],
                            }
                        },
                        "sagemaker_program": "train.py",
                        "sagemaker_submit_directory": f"/opt/ml/input/data/code/{TRAIN}.gz",
                    },
                },
            },
            *([REGISTER_STEP] if register else []),
        ],
    }


def file_asset(key: str, path: str, packaging: str = "file") -> dict[str, Any]:
    return {
        "source": {"path": path, "packaging": packaging},
        "destinations": {
            "current_account-current_region": {
                "bucketName": "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}",
                "objectKey": key,
                "assumeRoleArn": PUBLISHING_ROLE,
            }
        },
    }


@pytest.fixture
def cdk_out(tmp_path: Path) -> Path:
    return write_cdk_out(tmp_path)


def write_cdk_out(tmp_path: Path, register: bool = False) -> Path:
    """The hand-written assembly of these tests, written under ``tmp_path``.

    ``register``: with a RegisterModel step after Train.
    """
    out = tmp_path / "cdk.out"
    nested = out / "assembly-dev"
    nested.mkdir(parents=True)
    (out / f"asset.{PREP}.py").write_text(
        "import shutil\n"
        "shutil.copytree('/opt/ml/processing/input', '/opt/ml/processing/train', "
        "dirs_exist_ok=True)\n"
    )
    code = tmp_path / "train-src"
    code.mkdir()
    (code / "train.py").write_text(
        "import os, sys\n"
        "rows = open(os.environ['SM_CHANNEL_TRAIN'] + '/data.csv').read().split()\n"
        "assert sys.argv[1:] == ['--rows', str(len(rows))], sys.argv\n"
        "open(os.environ['SM_MODEL_DIR'] + '/model.txt', 'w').write(str(len(rows)))\n"
    )
    shutil.make_archive(str(out / f"asset.{TRAIN}"), "gztar", code)
    (out / f"asset.{FN}").mkdir()
    (out / f"asset.{FN}" / "index.py").write_text(
        "import os\n"
        "def handler(event, context):\n"
        "    return {'rows': 3, 'source': event['source']}\n"
    )
    (out / f"asset.{DATA}").mkdir()
    (out / f"asset.{DATA}" / "data.csv").write_text("1\n2\n3\n")
    (out / "manifest.json").write_text(
        json.dumps(
            {
                "version": "48.0.0",
                "artifacts": {
                    "assembly-dev": {
                        "type": "cdk:cloud-assembly",
                        "properties": {"directoryName": "assembly-dev", "displayName": "dev"},
                    },
                    "Tree": {"type": "cdk:tree", "properties": {"file": "tree.json"}},
                },
            }
        )
    )
    (nested / "devMl.assets.json").write_text(
        json.dumps(
            {
                "version": "48.0.0",
                "files": {
                    PREP: file_asset(f"{PREP}.py", f"../asset.{PREP}.py"),
                    TRAIN: file_asset(f"{TRAIN}.gz", f"../asset.{TRAIN}.tar.gz"),
                    FN: file_asset(f"{FN}.zip", f"../asset.{FN}", "zip"),
                    DATA: file_asset(f"{DATA}.zip", f"../asset.{DATA}", "zip"),
                },
                "dockerImages": {},
            }
        )
    )
    (nested / "manifest.json").write_text(
        json.dumps(
            {
                "version": "48.0.0",
                "artifacts": {
                    "devMl.assets": {
                        "type": "cdk:asset-manifest",
                        "properties": {"file": "devMl.assets.json"},
                    },
                    "devMl": {
                        "type": "aws:cloudformation:stack",
                        "environment": "aws://unknown-account/unknown-region",
                        "properties": {
                            "templateFile": "devMl.template.json",
                            "stackName": "dev-Ml",
                        },
                        "additionalMetadataFile": "devMl.metadata.json",
                        "displayName": "dev/Ml",
                    },
                },
            }
        )
    )
    logical_ids = {
        "/dev/Ml/Data/Resource": "DataBucket11AA22BB",
        "/dev/Ml/Artifacts/Resource": "ArtifactsBucketAB12CD34",
        "/dev/Ml/Training/Resource": "Pipeline99887766",
        "/dev/Ml/Count/Resource": "CountFn55667788",
        "/dev/Ml/StepRole/Resource": "StepRoleAB12CD34",
        "/dev/Ml/PipelineRole/Resource": "PipelineRoleAA11BB22",
    }
    (nested / "devMl.metadata.json").write_text(
        json.dumps(
            {
                path: [{"type": "aws:cdk:logicalId", "data": logical}]
                for path, logical in logical_ids.items()
            }
        )
    )
    template = {
        "Parameters": {
            "BootstrapVersion": {
                "Type": "AWS::SSM::Parameter::Value<String>",
                "Default": "/cdk-bootstrap/hnb659fds/version",
            }
        },
        "Mappings": {"SklearnImages": {"us-east-1": {"uri": SKLEARN}}},
        "Resources": {
            "DataKeyAB12CD34": {"Type": "AWS::KMS::Key", "Properties": {}},
            "DataKeyAliasAB12CD34": {
                "Type": "AWS::KMS::Alias",
                "Properties": {
                    "AliasName": "alias/dev-ml-data",
                    "TargetKeyId": {"Fn::GetAtt": ["DataKeyAB12CD34", "Arn"]},
                },
            },
            # SSE-KMS by default: what the runner serves from it needs kms:Decrypt.
            "DataBucket11AA22BB": {
                "Type": "AWS::S3::Bucket",
                "Properties": {
                    "BucketEncryption": {
                        "ServerSideEncryptionConfiguration": [
                            {
                                "ServerSideEncryptionByDefault": {
                                    "KMSMasterKeyID": {"Fn::GetAtt": ["DataKeyAB12CD34", "Arn"]},
                                    "SSEAlgorithm": "aws:kms",
                                }
                            }
                        ]
                    }
                },
            },
            "ArtifactsBucketAB12CD34": {
                "Type": "AWS::S3::Bucket",
                "Properties": {"BucketName": "my-artifacts"},
            },
            "StepRoleAB12CD34": {"Type": "AWS::IAM::Role", "Properties": {}},
            # What the jobs read and write, as the construct derives it (local/iam.py checks).
            "StepRolePolicyAB12CD34": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {
                    "Roles": [{"Ref": "StepRoleAB12CD34"}],
                    "PolicyDocument": {"Statement": STEP_ROLE_STATEMENTS},
                },
            },
            "PipelineRoleAA11BB22": {"Type": "AWS::IAM::Role", "Properties": {}},
            "PipelineRoleDefaultPolicyAA11BB22": {
                "Type": "AWS::IAM::Policy",
                "Properties": {
                    "PolicyName": "PipelineRoleDefaultPolicyAA11BB22",
                    "Roles": [{"Ref": "PipelineRoleAA11BB22"}],
                    "PolicyDocument": {"Statement": PIPELINE_ROLE_STATEMENTS},
                },
            },
            "CountFn55667788": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Code": {"S3Bucket": ASSETS, "S3Key": f"{FN}.zip"},
                    "Handler": "index.handler",
                    "Runtime": "python3.12",
                },
            },
            "DeployData": {
                "Type": "Custom::CDKBucketDeployment",
                "Properties": {
                    "SourceBucketNames": [ASSETS],
                    "SourceObjectKeys": [f"{DATA}.zip"],
                    "DestinationBucketName": {"Ref": "DataBucket11AA22BB"},
                    "DestinationBucketKeyPrefix": "curated/",
                },
            },
            "Pipeline99887766": {
                "Type": "AWS::SageMaker::Pipeline",
                "Properties": {
                    "PipelineName": "dev-ml-training",
                    "ParallelismConfiguration": {"MaxParallelExecutionSteps": 3},
                    "PipelineDefinition": {"PipelineDefinitionBody": join(definition(register))},
                    "RoleArn": {"Fn::GetAtt": ["PipelineRoleAA11BB22", "Arn"]},
                },
            },
        },
    }
    (nested / "devMl.template.json").write_text(json.dumps(template))
    return out


def test_loads_the_deployed_definition_with_local_stand_ins(cdk_out: Path) -> None:
    loaded = load_assembly(cdk_out)
    assert loaded.pipeline_name == "dev-ml-training"
    assert loaded.resources.max_parallel == 3
    prep = loaded.definition["Steps"][0]["Arguments"]
    assert prep["AppSpecification"]["ImageUri"] == SKLEARN
    assert prep["RoleArn"] == "arn:aws:iam::000000000000:role/StepRoleAB12CD34"
    assert prep["ProcessingInputs"][1]["S3Input"]["S3Uri"] == (
        f"s3://cdk-hnb659fds-assets-000000000000-us-east-1/{PREP}.py"
    )
    assert prep["ProcessingInputs"][0]["S3Input"]["S3Uri"]["Std:Join"]["Values"][1] == (
        "dev-ml-data"
    )
    assert loaded.notes == (
        "bucket dev/Ml/Artifacts (Ref ArtifactsBucketAB12CD34) is s3://my-artifacts",
        "bucket dev/Ml/Data (Ref DataBucket11AA22BB) is s3://dev-ml-data",
    )
    s3 = {uri: Path(path).name for uri, path in loaded.resources.s3.items()}
    assert s3["s3://dev-ml-data/curated"] == f"asset.{DATA}"
    assert s3[f"s3://cdk-hnb659fds-assets-000000000000-us-east-1/{TRAIN}.gz"] == (
        f"asset.{TRAIN}.tar.gz"
    )
    handler = loaded.resources.lambda_handler(
        "arn:aws:lambda:us-east-1:000000000000:function:CountFn55667788"
    )
    assert handler is not None
    assert (handler.code.name, handler.handler, handler.runtime) == (
        f"asset.{FN}",
        "index.handler",
        "python3.12",
    )


def test_a_job_in_a_vpc_of_the_app_gets_ids_of_the_form_ec2_gives(cdk_out: Path) -> None:
    # A Pipeline with vpc= names its job security group by Fn::GetAtt …GroupId and the
    # subnets by Ref: "JobSecurityGroup.GroupId" would fail the request's pattern.
    template_file = cdk_out / "assembly-dev" / "devMl.template.json"
    template = json.loads(template_file.read_text())
    resources = template["Resources"]
    resources["VpcAB12"] = {"Type": "AWS::EC2::VPC", "Properties": {}}
    resources["SubnetAB12"] = {
        "Type": "AWS::EC2::Subnet",
        "Properties": {"VpcId": {"Ref": "VpcAB12"}},
    }
    resources["JobSecurityGroupAB12"] = {
        "Type": "AWS::EC2::SecurityGroup",
        "Properties": {"VpcId": {"Ref": "VpcAB12"}},
    }
    body = definition()
    body["Steps"][2]["Arguments"]["VpcConfig"] = {
        "SecurityGroupIds": [Cfn({"Fn::GetAtt": ["JobSecurityGroupAB12", "GroupId"]})],
        "Subnets": [Cfn({"Ref": "SubnetAB12"}), "subnet-0aaa1111bbbb2222c"],
    }
    pipeline = resources["Pipeline99887766"]["Properties"]
    pipeline["PipelineDefinition"]["PipelineDefinitionBody"] = join(body)
    template_file.write_text(json.dumps(template))

    loaded = load_assembly(cdk_out)

    vpc_config = loaded.definition["Steps"][2]["Arguments"]["VpcConfig"]
    (group,) = vpc_config["SecurityGroupIds"]
    subnet, imported = vpc_config["Subnets"]
    assert re.fullmatch(r"sg-[0-9a-f]{17}", group)
    assert re.fullmatch(r"subnet-[0-9a-f]{17}", subnet)
    assert imported == "subnet-0aaa1111bbbb2222c"
    assert validate_definition(loaded.definition) == []
    assert load_assembly(cdk_out).definition == loaded.definition  # the same on every load


def test_region_option_applies_to_environment_agnostic_stacks_only(cdk_out: Path) -> None:
    manifest = cdk_out / "assembly-dev" / "manifest.json"
    manifest.write_text(
        manifest.read_text().replace(
            "aws://unknown-account/unknown-region", "aws://111122223333/us-east-1"
        )
    )
    # The stack's own region wins: its mapping has no eu-west-1 entry to fail on.
    loaded = load_assembly(cdk_out, region="eu-west-1")
    prep = loaded.definition["Steps"][0]["Arguments"]
    assert prep["AppSpecification"]["ImageUri"] == SKLEARN
    assert prep["ProcessingInputs"][1]["S3Input"]["S3Uri"] == (
        f"s3://cdk-hnb659fds-assets-111122223333-us-east-1/{PREP}.py"
    )


@pytest.mark.parametrize(
    ("region", "partition", "suffix"),
    [
        ("cn-north-1", "aws-cn", "amazonaws.com.cn"),
        ("us-gov-west-1", "aws-us-gov", "amazonaws.com"),
        ("eu-west-1", "aws", "amazonaws.com"),
    ],
)
def test_pseudo_parameters_and_arns_follow_the_regions_partition(
    cdk_out: Path, region: str, partition: str, suffix: str
) -> None:
    # An environment-agnostic stack run for China or GovCloud: AWS::Partition and
    # AWS::URLSuffix are that region's, as CloudFormation resolves them there. The image is
    # an ECR repository's, whose URI aws-cdk-lib builds from AWS::URLSuffix.
    template_file = cdk_out / "assembly-dev" / "devMl.template.json"
    repository_uri = {
        "Fn::Join": [
            "",
            ["111122223333.dkr.ecr.", {"Ref": "AWS::Region"}, ".", {"Ref": "AWS::URLSuffix"}],
        ]
    }
    text = template_file.read_text().replace(json.dumps(IMAGE), json.dumps(repository_uri))
    assert json.dumps(repository_uri) in text
    template_file.write_text(text)
    loaded = load_assembly(cdk_out, region=region)
    prep = loaded.definition["Steps"][0]["Arguments"]
    assert prep["AppSpecification"]["ImageUri"] == f"111122223333.dkr.ecr.{region}.{suffix}"
    assert prep["RoleArn"] == f"arn:{partition}:iam::000000000000:role/StepRoleAB12CD34"
    handler = loaded.resources.lambda_handler(
        f"arn:{partition}:lambda:{region}:000000000000:function:CountFn55667788"
    )
    assert handler is not None


EXPORT = "dev-Shared:ExportsOutputRefArtifactsBucketAB12CD34"


@pytest.mark.parametrize(
    ("region", "partition", "suffix"),
    [("cn-north-1", "aws-cn", "amazonaws.com.cn"), ("eu-west-1", "aws", "amazonaws.com")],
)
def test_every_stand_in_name_is_of_the_regions_partition(
    region: str, partition: str, suffix: str
) -> None:
    # What a job or a Lambda step reads: a queue's URL, a bucket's ARN and domain, a managed
    # policy's ARN, the stack's id, each as CloudFormation gives them in that region.
    resources = {
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "approvals"}},
        "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "data"}},
        "Policy": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"ManagedPolicyName": "p"}},
    }
    template = {"Resources": resources}
    stack = _Stack(Path("."), "devMl", "dev-Ml", "dev/Ml", template, "111122223333", region)
    resolver = _Resolver(stack, [])
    assert resolver.resolve({"Ref": "AWS::Partition"}) == partition
    assert resolver.resolve({"Ref": "AWS::URLSuffix"}) == suffix
    assert resolver.resolve({"Ref": "AWS::StackId"}).startswith(
        f"arn:{partition}:cloudformation:{region}:111122223333:stack/dev-Ml/"
    )
    queue_url = f"https://sqs.{region}.{suffix}/111122223333/approvals"
    assert resolver.resolve({"Ref": "Queue"}) == queue_url
    assert resolver.resolve({"Fn::GetAtt": ["Queue", "QueueUrl"]}) == queue_url
    assert resolver.resolve({"Fn::GetAtt": ["Bucket", "Arn"]}) == f"arn:{partition}:s3:::data"
    # A host name, not the bucket's name (as every other …Name attribute is).
    assert resolver.resolve({"Fn::GetAtt": ["Bucket", "DomainName"]}) == f"data.s3.{suffix}"
    assert resolver.resolve({"Fn::GetAtt": ["Bucket", "RegionalDomainName"]}) == (
        f"data.s3.{region}.{suffix}"
    )
    assert resolver.resolve({"Fn::GetAtt": ["Bucket", "BucketName"]}) == "data"
    assert resolver.resolve({"Fn::GetAtt": ["Policy", "PolicyArn"]}) == (
        f"arn:{partition}:iam::111122223333:policy/p"
    )
    # Ref of a managed policy is its ARN too, in CloudFormation (not its name).
    assert resolver.resolve({"Ref": "Policy"}) == f"arn:{partition}:iam::111122223333:policy/p"


def _move_artifacts_bucket_to_another_stack(cdk_out: Path, export: str = EXPORT) -> None:
    """The bucket in stack dev/Shared, which exports its name; dev/Ml imports it."""
    nested = cdk_out / "assembly-dev"
    template_file = nested / "devMl.template.json"
    template = json.loads(template_file.read_text())
    bucket = template["Resources"].pop("ArtifactsBucketAB12CD34")
    shared = {
        "Resources": {"ArtifactsBucketAB12CD34": bucket},
        "Outputs": {
            "ExportsOutputRefArtifactsBucketAB12CD3412345678": {
                "Value": {"Ref": "ArtifactsBucketAB12CD34"},
                "Export": {"Name": export},
            }
        },
    }
    (nested / "devShared.template.json").write_text(json.dumps(shared))
    imported = json.dumps({"Fn::ImportValue": EXPORT})
    template_file.write_text(
        json.dumps(template).replace('{"Ref": "ArtifactsBucketAB12CD34"}', imported)
    )
    manifest_file = nested / "manifest.json"
    manifest = json.loads(manifest_file.read_text())
    manifest["artifacts"]["devShared"] = {
        "type": "aws:cloudformation:stack",
        "environment": "aws://unknown-account/unknown-region",
        "properties": {"templateFile": "devShared.template.json", "stackName": "dev-Shared"},
        "displayName": "dev/Shared",
    }
    manifest_file.write_text(json.dumps(manifest))


def test_a_bucket_of_another_stack_is_read_through_its_export(cdk_out: Path) -> None:
    # A Pipeline given the ArtifactStore of another stack of the app names its bucket with
    # Fn::ImportValue. Before, loading it failed ("reads another stack's export, which the
    # local runner can't resolve"), and so did smpipe run, graph and diff of such an app.
    expected = load_assembly(cdk_out).definition
    _move_artifacts_bucket_to_another_stack(cdk_out)
    loaded = load_assembly(cdk_out)
    assert "Fn::ImportValue" in (cdk_out / "assembly-dev" / "devMl.template.json").read_text()
    assert loaded.definition == expected
    assert (
        "bucket ArtifactsBucketAB12CD34 (Ref ArtifactsBucketAB12CD34) is s3://my-artifacts"
        in loaded.notes
    )


def test_an_export_no_stack_makes_is_named(cdk_out: Path) -> None:
    _move_artifacts_bucket_to_another_stack(cdk_out, export="dev-Shared:SomethingElse")
    with pytest.raises(
        LocalRunError,
        match=f"Fn::ImportValue '{EXPORT}' reads another stack's export, which no stack of "
        "the assembly in account 000000000000, region us-east-1 makes",
    ):
        load_assembly(cdk_out)


def test_runs_the_assembly_end_to_end(cdk_out: Path, tmp_path: Path) -> None:
    result = LocalRunner(LocalConfig(root=tmp_path / "root")).run(load_assembly(cdk_out))
    assert result.status == "Succeeded", result.failure_reason
    assert result.properties("Count")["OutputParameters"] == {"rows": 3}
    assert result.record.pipeline_name == "dev-ml-training"
    model = result.properties("Train")["ModelArtifacts"]["S3ModelArtifacts"]
    assert model.startswith("s3://my-artifacts/executions/dev-ml-training/")


@pytest.mark.parametrize("key", ["dev/Ml/Count", "/dev/Ml/Count/Resource", "CountFn55667788"])
def test_a_handler_given_by_the_functions_construct_path_replaces_the_assemblys(
    cdk_out: Path, tmp_path: Path, key: str
) -> None:
    # smpipe run --assembly cdk.out --lambda dev/Ml/Count=…: keyed by the construct path,
    # the handler used to bind nothing, and the assembly's own code ran instead.
    marker = tmp_path / "ran"
    local = tmp_path / "count.py"
    local.write_text(
        "def handler(event, context):\n"
        f"    open({str(marker)!r}, 'w').write(event['source'])\n"
        "    return {'rows': 3}\n"
    )
    loaded = load_assembly(cdk_out)
    assert loaded.functions == {
        "dev/Ml/Count": "arn:aws:lambda:us-east-1:000000000000:function:CountFn55667788"
    }
    config = LocalConfig(
        root=tmp_path / "root", resources=ResourceMap(lambdas={key: f"{local}:handler"})
    )
    result = LocalRunner(config).run(loaded)
    assert result.status == "Succeeded", result.failure_reason
    assert marker.exists()


@pytest.mark.parametrize(
    "selector",
    [
        "dev-ml-training",
        "dev/Ml/Training",
        "/dev/Ml/Training/Resource",
        "Pipeline99887766",
        "dev/Ml/Pipeline99887766",
    ],
)
def test_selects_a_pipeline_by_name_construct_path_or_logical_id(
    cdk_out: Path, selector: str
) -> None:
    assert load_assembly(cdk_out, selector).pipeline_name == "dev-ml-training"


def test_fails_on_unknown_pipelines_and_missing_assemblies(cdk_out: Path, tmp_path: Path) -> None:
    with pytest.raises(
        LocalRunError, match=r"no pipeline 'prod/Ml' in the assembly \(pipelines: dev/Ml/Training\)"
    ):
        load_assembly(cdk_out, "prod/Ml")
    with pytest.raises(LocalRunError, match="is not a cloud assembly"):
        load_assembly(tmp_path)
    with pytest.raises(LocalRunError, match=r"Fn::FindInMap SklearnImages/eu-west-1/uri has no"):
        load_assembly(cdk_out, region="eu-west-1")


def validation_report(*conclusions: str) -> dict[str, Any]:
    """A validation-report.json as aws-cdk-lib writes it, one plugin per conclusion."""
    rules = {"success": [], "failure": ["AwsSolutions-SNS3", "AwsSolutions-S1"]}
    return {
        "version": "55.0.0",
        "title": "Validation Report",
        "pluginReports": [
            {
                "pluginName": f"Plugin{index}",
                "conclusion": conclusion,
                "violations": [
                    {"ruleName": rule, "description": "…", "severity": "error"}
                    for rule in [*rules[conclusion], *rules[conclusion][:1]]
                ],
            }
            for index, conclusion in enumerate(conclusions)
        ],
    }


def test_refuses_an_assembly_whose_synth_failed_policy_validation(cdk_out: Path) -> None:
    # aws-cdk-lib writes the whole assembly before it fails synth on a plugin's finding: the
    # templates look deployable, but cdk deploy would refuse them.
    report = cdk_out / "validation-report.json"
    report.write_text(json.dumps(validation_report("success", "failure")))
    message = (
        f"{cdk_out} was written by a synth that failed policy validation (Plugin1: "
        "AwsSolutions-SNS3, AwsSolutions-S1): it is not what would deploy. Fix or acknowledge "
        f"the findings (listed in {report}) and run cdk synth again"
    )
    with pytest.raises(LocalRunError) as caught:
        load_assembly(cdk_out)
    assert str(caught.value) == message
    with pytest.raises(LocalRunError) as caught:
        pipeline_paths(cdk_out)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    "report",
    [
        json.dumps(validation_report()),  # an app with plugins and no finding
        json.dumps(validation_report("success")),
        '{"pluginReports": [{"conclusion": "failure"',  # cut short: not judged
        json.dumps({"pluginReports": "failure"}),
    ],
    ids=["no-plugin", "passed", "unreadable", "other-shape"],
)
def test_loads_an_assembly_whose_validation_passed_or_cant_be_read(
    cdk_out: Path, report: str
) -> None:
    (cdk_out / "validation-report.json").write_text(report)
    assert load_assembly(cdk_out).pipeline_name == "dev-ml-training"


def test_lists_the_pipelines_by_construct_path(cdk_out: Path, tmp_path: Path) -> None:
    assert pipeline_paths(cdk_out) == ["dev/Ml/Training"]
    with pytest.raises(LocalRunError, match="is not a cloud assembly"):
        pipeline_paths(tmp_path)


def test_an_assembly_path_or_pipeline_of_another_type_is_named() -> None:
    # An int for the directory failed with Python's "expected str, bytes or os.PathLike".
    with pytest.raises(LocalRunError, match=r"^load_assembly: directory must be the path of"):
        load_assembly(3)  # type: ignore[arg-type]
    with pytest.raises(LocalRunError, match=r"^load_assembly: pipeline must be a pipeline's"):
        load_assembly("cdk.out", pipeline=["dev/MlOps/Training"])  # type: ignore[arg-type]


def test_a_resume_binds_a_handler_given_by_the_functions_construct_path(
    cdk_out: Path, tmp_path: Path
) -> None:
    # smpipe run --resume ID --lambda dev/Ml/Count=fixed.py:handler: the resume has no
    # assembly to translate the path with, and refused it ("no Lambda step of the pipeline
    # calls 'dev/Ml/Count'"). The execution now records the functions' paths.
    broken, fixed = tmp_path / "broken.py", tmp_path / "fixed.py"
    broken.write_text("def handler(event, context):\n    raise RuntimeError('not yet')\n")
    fixed.write_text("def handler(event, context):\n    return {'rows': 3}\n")

    def runner(handler: Path) -> LocalRunner:
        lambdas = ResourceMap(lambdas={"dev/Ml/Count": f"{handler}:handler"})
        return LocalRunner(LocalConfig(root=tmp_path / "root", resources=lambdas))

    failed = runner(broken).run(load_assembly(cdk_out))
    assert failed.step("Count").status == "Failed"
    resumed = runner(fixed).resume(failed.execution_id)
    assert resumed.status == "Succeeded", resumed.failure_reason
    assert resumed.properties("Count")["OutputParameters"] == {"rows": 3}
