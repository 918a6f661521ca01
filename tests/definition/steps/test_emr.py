"""EMRStep renders AddJobFlowSteps' HadoopJarStep and the cluster id."""

from __future__ import annotations

from typing import Any

import pytest

from cdk_sagemaker_pipelines.definition import (
    CacheConfig,
    EMRStep,
    LambdaStep,
    Parameter,
    ParameterInteger,
    ParameterString,
    PipelineDefinition,
    StaticBinder,
    StepOutput,
    validate_definition,
)
from cdk_sagemaker_pipelines.definition._render import RenderContext
from cdk_sagemaker_pipelines.definition.permissions import plan_permissions

FUNCTION = "arn:aws:lambda:us-east-1:111122223333:function:prep"


def test_minimal_step_renders_defaults(ctx: RenderContext) -> None:
    step = EMRStep(name="Spark", cluster_id="j-1ABCDEFG2HIJK", jar="command-runner.jar")

    assert step.to_request(ctx) == {
        "Name": "Spark",
        "Type": "EMR",
        "Arguments": {
            "StepConfig": {"HadoopJarStep": {"Jar": "command-runner.jar"}},
            "ClusterId": "j-1ABCDEFG2HIJK",
        },
    }


def every_option() -> tuple[EMRStep, LambdaStep, list[Parameter]]:
    cluster = ParameterString(name="ClusterId", default_value="j-1ABCDEFG2HIJK")
    partitions = ParameterInteger(name="Partitions", default_value=8)
    prep = LambdaStep(name="Prep", function_arn=FUNCTION, outputs=[StepOutput(output_name="uri")])
    step = EMRStep(
        name="Spark",
        display_name="Spark job",
        description="Aggregates the events",
        depends_on=[prep, "Prep"],
        cluster_id=cluster,
        jar="command-runner.jar",
        args=[
            "spark-submit",
            "s3://my-bucket/job.py",
            "--input",
            prep.properties.OutputParameters["uri"],
            # Args are strings: numbers and number parameters are converted.
            "--partitions",
            partitions,
            "--sample",
            0.5,
        ],
        main_class="org.example.Main",
        properties_={"spark.executor.memory": "4g", "mode": "batch"},
        cache_config=CacheConfig(expire_after="P7D"),
    )
    return step, prep, [cluster, partitions]


def test_every_option(ctx: RenderContext) -> None:
    step, prep, parameters = every_option()

    assert step.to_request(ctx) == {
        "Name": "Spark",
        "Type": "EMR",
        "Arguments": {
            "StepConfig": {
                "HadoopJarStep": {
                    "Jar": "command-runner.jar",
                    "Args": [
                        "spark-submit",
                        "s3://my-bucket/job.py",
                        "--input",
                        {"Get": "Steps.Prep.OutputParameters['uri']"},
                        "--partitions",
                        {"Std:Join": {"On": "", "Values": [{"Get": "Parameters.Partitions"}]}},
                        "--sample",
                        "0.5",
                    ],
                    "MainClass": "org.example.Main",
                    "Properties": [
                        {"Key": "spark.executor.memory", "Value": "4g"},
                        {"Key": "mode", "Value": "batch"},
                    ],
                }
            },
            "ClusterId": {"Get": "Parameters.ClusterId"},
        },
        "DependsOn": ["Prep"],
        "DisplayName": "Spark job",
        "Description": "Aggregates the events",
        "CacheConfig": {"Enabled": True, "ExpireAfter": "P7D"},
    }
    assert ctx.referenced_steps == [prep]
    assert ctx.referenced_parameters == [parameters[1], parameters[0]]


def test_every_option_compiles_to_a_valid_definition(binder: StaticBinder) -> None:
    import dataclasses

    step, _, parameters = every_option()
    step = dataclasses.replace(step, depends_on=[])

    definition = PipelineDefinition(parameters=parameters, steps=[step]).to_definition(binder)

    assert {entry["Name"] for entry in definition["Steps"]} == {"Prep", "Spark"}


def _emr_definition(arguments: dict[str, object]) -> dict[str, object]:
    step_config = {"HadoopJarStep": {"Jar": "command-runner.jar"}}
    return {
        "Version": "2020-12-01",
        "Steps": [
            {"Name": "Spark", "Type": "EMR", "Arguments": {"StepConfig": step_config, **arguments}}
        ],
    }


def test_a_cluster_id_known_only_at_run_time_opens_the_steps_to_any_cluster() -> None:
    # The SDK's usual EMRStep: the cluster id is a parameter, a transient cluster per run.
    plan = plan_permissions(_emr_definition({"ClusterId": {"Get": "Parameters.ClusterId"}}))

    assert plan.emr_clusters == ["*"]
    assert plan.open_emr_clusters == [("Spark", "Arguments.ClusterId")]


def test_a_runtime_role_is_planned_per_cluster_not_passed_to_sagemaker() -> None:
    runtime_role = "arn:aws:iam::111122223333:role/EmrRuntimeRole"
    definition = _emr_definition({"ClusterId": "j-1ABCDEFG2HIJK", "ExecutionRoleArn": runtime_role})

    plan = plan_permissions(definition)

    assert plan.passed_roles == []
    assert plan.emr_clusters == ["j-1ABCDEFG2HIJK"]
    assert plan.emr_submissions == [("j-1ABCDEFG2HIJK", runtime_role)]
    assert plan.emr_new_cluster_steps == []


def test_a_cluster_the_step_creates_is_any_cluster_with_its_roles() -> None:
    config = {
        "ReleaseLabel": "emr-6.6.0",
        "JobFlowRole": "EMR_EC2_DefaultRole",
        "ServiceRole": "EMR_DefaultRole",
        "AutoScalingRole": "EMR_AutoScaling_DefaultRole",
    }

    plan = plan_permissions(_emr_definition({"ClusterConfig": config}))

    assert plan.emr_new_cluster_steps == ["Spark"]
    assert plan.emr_clusters == ["*"]
    assert plan.emr_submissions == [("*", None)]
    assert plan.emr_service_roles == ["EMR_DefaultRole"]
    assert plan.emr_underived_roles == [
        ("Spark", "Arguments.ClusterConfig.JobFlowRole", "EMR_EC2_DefaultRole"),
        ("Spark", "Arguments.ClusterConfig.AutoScalingRole", "EMR_AutoScaling_DefaultRole"),
    ]
    assert plan.open_emr_clusters == []


def test_a_cluster_config_may_give_its_nodes_in_runjobflows_uniform_form() -> None:
    # "All other RunJobFlow arguments are available" (SageMaker guide, EMR step): only the
    # SDK's EMRStep insists on InstanceGroups or InstanceFleets. Reported as "Instances
    # needs InstanceGroups or InstanceFleets, got neither" before.
    config = {
        "ReleaseLabel": "emr-6.10.0",
        "Instances": {
            "MasterInstanceType": "m5.xlarge",
            "SlaveInstanceType": "m5.xlarge",
            "InstanceCount": 3,
        },
        "ServiceRole": "EMR_DefaultRole",
        "JobFlowRole": "EMR_EC2_DefaultRole",
    }

    assert validate_definition(_emr_definition({"ClusterConfig": config})) == []


def test_a_cluster_config_without_nodes_is_reported() -> None:
    config = {"ReleaseLabel": "emr-6.10.0", "Instances": {"Ec2SubnetId": "subnet-0abc"}}

    [problem] = validate_definition(_emr_definition({"ClusterConfig": config}))

    assert (problem.step, problem.field) == ("Spark", "Arguments.ClusterConfig.Instances")
    assert problem.message == (
        "Instances needs InstanceGroups or InstanceFleets, got neither (nor MasterInstanceType)"
    )


@pytest.mark.parametrize(
    ("instances", "message"),
    [
        (None, "missing required member 'Instances'"),
        ("m5.xlarge", "expected an object, got 'm5.xlarge' (str)"),
    ],
)
def test_a_cluster_config_without_an_instances_object_is_reported_once(
    instances: str | None, message: str
) -> None:
    # The shape check's problem alone: the node rules only read an Instances object.
    config: dict[str, Any] = {"ReleaseLabel": "emr-6.10.0"}
    if instances is not None:
        config["Instances"] = instances

    [problem] = validate_definition(_emr_definition({"ClusterConfig": config}))

    assert (problem.step, problem.field) == ("Spark", "Arguments.ClusterConfig.Instances")
    assert problem.message == message


def test_a_cluster_config_tag_key_used_twice_is_reported() -> None:
    config = {
        "ReleaseLabel": "emr-6.10.0",
        "Instances": {"MasterInstanceType": "m5.xlarge", "InstanceCount": 1},
        "Tags": [{"Key": "team", "Value": "ml"}, {"Key": "team", "Value": "data"}],
    }

    [problem] = validate_definition(_emr_definition({"ClusterConfig": config}))

    assert (problem.step, problem.field) == ("Spark", "Arguments.ClusterConfig.Tags[1].Key")
    assert problem.message == "tag key 'team' is already used by Arguments.ClusterConfig.Tags[0]"


NEW_CLUSTER = {
    "ReleaseLabel": "emr-6.10.0",
    "Applications": [{"Name": "Spark"}],
    "Instances": {
        "InstanceGroups": [
            {"InstanceRole": "MASTER", "InstanceCount": 1, "InstanceType": "m5.xlarge"},
            {"InstanceRole": "CORE", "InstanceCount": 2, "InstanceType": "m5.xlarge"},
        ],
        "Ec2SubnetId": "subnet-0123456789abcdef0",
    },
    "JobFlowRole": "EMR_EC2_DefaultRole",
    "ServiceRole": "EMR_DefaultRole",
}


def test_a_step_on_a_new_cluster_renders_its_cluster_config(binder: StaticBinder) -> None:
    # The SDK's EMRStep(cluster_id=None, cluster_config={...}): not expressible before.
    log_uri = ParameterString(name="EmrLogs", default_value="s3://my-bucket/emr-logs/")
    step = EMRStep(
        name="SparkOnNewCluster",
        jar="command-runner.jar",
        args=["spark-submit", "s3://my-bucket/job.py"],
        cluster_config={**NEW_CLUSTER, "LogUri": log_uri},
    )

    definition = PipelineDefinition(parameters=[log_uri], steps=[step]).to_definition(binder)

    assert definition["Steps"][0]["Arguments"] == {
        "StepConfig": {
            "HadoopJarStep": {
                "Jar": "command-runner.jar",
                "Args": ["spark-submit", "s3://my-bucket/job.py"],
            }
        },
        "ClusterConfig": {**NEW_CLUSTER, "LogUri": {"Get": "Parameters.EmrLogs"}},
    }
    assert plan_permissions(definition).emr_new_cluster_steps == ["SparkOnNewCluster"]


def test_a_runtime_role_renders_as_the_steps_execution_role(binder: StaticBinder) -> None:
    runtime_role = "arn:aws:iam::111122223333:role/EmrRuntimeRole"
    step = EMRStep(
        name="Spark",
        cluster_id="j-1ABCDEFG2HIJK",
        jar="command-runner.jar",
        execution_role_arn=runtime_role,
    )

    definition = PipelineDefinition(steps=[step]).to_definition(binder)

    assert definition["Steps"][0]["Arguments"] == {
        "StepConfig": {"HadoopJarStep": {"Jar": "command-runner.jar"}},
        "ClusterId": "j-1ABCDEFG2HIJK",
        "ExecutionRoleArn": runtime_role,
    }
    assert plan_permissions(definition).emr_submissions == [("j-1ABCDEFG2HIJK", runtime_role)]


def test_cluster_id_and_cluster_config_are_one_or_the_other(binder: StaticBinder) -> None:
    neither = EMRStep(name="Neither", jar="command-runner.jar")
    both = EMRStep(
        name="Both",
        jar="command-runner.jar",
        cluster_id="j-1ABCDEFG2HIJK",
        cluster_config=NEW_CLUSTER,
    )
    role_on_new = EMRStep(
        name="RoleOnNew",
        jar="command-runner.jar",
        cluster_config=NEW_CLUSTER,
        execution_role_arn="arn:aws:iam::111122223333:role/EmrRuntimeRole",
    )

    problems = PipelineDefinition(steps=[neither, both, role_on_new]).validate(binder)

    assert {(p.step, p.field, p.argument) for p in problems} == {
        ("Neither", "Arguments.ClusterId", "cluster_id"),
        ("Both", "Arguments.ClusterConfig", "cluster_config"),
        ("RoleOnNew", "Arguments.ExecutionRoleArn", "execution_role_arn"),
    }


def test_a_cluster_config_member_sagemaker_sets_names_the_argument(binder: StaticBinder) -> None:
    step = EMRStep(
        name="Spark", jar="command-runner.jar", cluster_config={**NEW_CLUSTER, "Name": "mine"}
    )

    [problem] = PipelineDefinition(steps=[step]).validate(binder)

    assert (problem.field, problem.argument) == ("Arguments.ClusterConfig.Name", "cluster_config")
