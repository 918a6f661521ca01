"""One environment's stack: data, registry, pipeline, triggers, monitoring, and an endpoint.

The endpoint serves an approved version in an environment that names one, and a data
quality monitor compares its requests daily with that version's baseline.

The stateful resources (key, buckets, model package group) keep their construct ids:
their logical ids are part of the contract, and a test guards them.
"""

from __future__ import annotations

from typing import Any, cast

from aws_cdk import (
    Acknowledgment,
    Annotations,
    CfnOutput,
    Duration,
    RemovalPolicy,
    Stack,
    Tags,
    Token,
    Validations,
)
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions

from cdk_sagemaker_pipelines.cdk import (
    ArtifactStore,
    DataCapture,
    DataQualityMonitor,
    Deployment,
    ModelEndpoint,
    ModelRegistry,
    MonitorBaseline,
    MonitorSchedule,
    NewDataTrigger,
    Pipeline,
    PipelineFailureNotifications,
    PipelineMonitoring,
    PipelineSchedule,
    notify_topic,
)
from cdk_sagemaker_pipelines.cdk.endpoint import GUARDRAIL_EXCLUDED_FAMILIES
from cdk_sagemaker_pipelines.cdk.pipeline import WARNING_PREFIX
from cdk_sagemaker_pipelines.definition.instances import instance_family
from constructs import Construct
from example_project.pipeline import (
    INSTANCE_TYPES,
    PipelineSettings,
    build_pipeline,
    monitored_feature_names,
)

from .config import (
    NO_ALARM_EMAIL,
    SERVES,
    SERVES_ENDPOINT_NOT_DECLARED,
    EnvironmentConfig,
    SourceRevision,
    model_package_arn_key,
)

INCOMING_PREFIX = "incoming/"
CURATED_PREFIX = "curated/"
# A new version's fleet takes all traffic, then bakes for BAKE: more than 1% of its requests
# answered with a 5xx error, three minutes running, rolls the endpoint back to the old fleet
# (kept for as long again once the new fleet has all traffic).
BAKE = Duration.minutes(10)
SERVER_ERROR_RATE = 0.01
# A production endpoint (retain_data): two instances at least, so that SageMaker spreads
# them over Availability Zones, scaled out to PRODUCTION_MAX_INSTANCES with the traffic.
# INVOCATIONS_PER_INSTANCE (a minute) is a starting point: load-test the model to set it.
PRODUCTION_MIN_INSTANCES = 2
PRODUCTION_MAX_INSTANCES = 4
INVOCATIONS_PER_INSTANCE = 200
# ModelLatency (microseconds) at p99 above this for 3 periods of 5 minutes notifies.
LATENCY_P99 = Duration.seconds(1)
# The data quality monitor runs daily at this hour (UTC), on the previous day's requests.
MONITOR_HOUR = 3
# A feature's drift (the distance of its captured distribution from the baseline's) above
# this notifies: the analyzer's default comparison_threshold, above which its report
# counts a baseline_drift_check violation.
DRIFT_THRESHOLD = 0.1
# The cost allocation tags' project: with the environment's name, on every resource of the
# stack that takes tags and on every job, model and endpoint the pipeline's executions start.
PROJECT = "breast-cancer-classifier"
# The share of a 5-minute period's requests (of at least MIN_INVOCATIONS) the model answers
# with an error of its own (InvocationModelErrors: its exceptions, timeouts) above which,
# three periods running, the endpoint's error alarms page; 5xx answers page above
# SERVER_ERROR_RATE. Fewer requests page nobody: a few errors at night aren't an outage.
MODEL_ERROR_RATE = 0.05
MIN_INVOCATIONS = 20
# No result of the data quality monitor in this many daily runs pages: it went blind.
MONITOR_MISSED_RUNS = 2
# Production's scheduled pipeline (daily) without a success in this long pages.
SUCCESS_WINDOW = Duration.days(2)
# An alarm on a metric math expression reads at most 10 metrics (a CloudWatch hard limit):
# the features' drift is watched 10 features to an alarm.
FEATURES_PER_DRIFT_ALARM = 10


class MlOpsStack(Stack):
    """The example project's MLOps stack for one environment.

    New objects under ``incoming/`` in the data bucket start a run on that object;
    ``schedule`` (if set) retrains on ``curated/``; models that pass the accuracy check
    are registered pending approval; failed or stopped runs notify an encrypted topic
    (each failed step too, with its reason) and raise an alarm, as does a run that never
    started (a dead letter of the trigger or the schedule), and in production a schedule
    whose runs stopped succeeding. Data, the registry and the pipeline (its execution history) are
    retained in environments with ``retain_data``. With ``model_package_arn`` (the context
    key ``model_package_arn:<environment>``), a real-time endpoint serves that approved
    version of the registry, capturing its requests and responses in the artifact store; a
    ``DataQualityMonitor`` compares them daily with the baseline that version records
    (``DriftCheckBaselines``, read from it at deploy time), and a feature drifting from it
    notifies the topic, as do runs of it that give no results, the endpoint's share of
    failed requests, and the served version rejected after its deploy
    (``notify_on_rejection``); ``config.data_quality_monitor`` False leaves the monitor out.
    Every resource that takes tags, and every job the pipeline starts, is tagged with the
    environment's name and the project (``cost_tags``), for cost allocation.

    With ``config.model_source`` (another environment's name), the endpoint serves versions
    of that environment's group instead: give its stack as ``model_source``, which then
    shares its registry and ``models/`` with this stack's account (``share_versions_with``).
    With ``config.trains`` False as well, the stack serves only: no data bucket, registry,
    pipeline, trigger, schedule, notifications or pipeline monitoring (those attributes are
    None); the artifact store, the endpoint with its monitor and alarms, and
    ``alarm_topic``, a topic of its own for them. ``config.approvers`` (role ARNs) may
    approve the registry's versions, through a managed policy for them to attach.

    ``revision``: the commit and repository the app is deployed from; each version the
    pipeline registers records them (``MetadataProperties``), with the execution that
    registered it and its ``InputDataKey``. None records no commit.

    Example::

        MlOpsStack(stage, "MlOps", config=EnvironmentConfig(name="dev", retain_data=False))
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        model_source: MlOpsStack | None = None,
        revision: SourceRevision | None = None,
        **kwargs: Any,
    ) -> None:
        if not config.trains and config.model_source is None:
            raise ValueError(
                f"MlOpsStack {construct_id} of environment {config.name!r}: trains is False, "
                "and no model_source names the environment whose versions it serves"
            )
        if (model_source.config.name if model_source else None) != config.model_source:
            raise ValueError(
                f"MlOpsStack {construct_id} of environment {config.name!r}: its model_source is "
                f"{config.model_source!r}, and model_source= gives the stack of "
                f"{model_source.config.name if model_source else None!r}: give that "
                "environment's stack"
            )
        super().__init__(
            scope,
            construct_id,
            description=f"SageMaker MLOps: breast cancer classifier ({config.name})",
            termination_protection=config.retain_data,
            **kwargs,
        )
        self.config: EnvironmentConfig = config
        # Cost allocation: Tags.of(self) reaches the stack's resources (the endpoint, keys
        # and buckets that bill), job_tags below the jobs the executions start, which
        # SageMaker doesn't tag with the pipeline's tags.
        self.cost_tags: dict[str, str] = {"environment": config.name, "project": PROJECT}
        for key, value in self.cost_tags.items():
            Tags.of(self).add(key, value)
        removal = RemovalPolicy.RETAIN if config.retain_data else RemovalPolicy.DESTROY
        self.artifacts = ArtifactStore(
            self,
            "Artifacts",
            removal_policy=removal,
            execution_output_retention=Duration.days(config.execution_output_retention_days),
        )
        # An environment that doesn't train (trains: false) serves its model source's
        # versions: no data bucket, registry, pipeline, trigger, schedule or pipeline alarms.
        self.data_bucket: s3.IBucket | None = None
        self.registry: ModelRegistry | None = None
        self.pipeline: Pipeline | None = None
        self.new_data_trigger: NewDataTrigger | None = None
        self.schedule: PipelineSchedule | None = None
        self.notifications: PipelineFailureNotifications | None = None
        self.monitoring: PipelineMonitoring | None = None
        if config.trains:
            self.data_bucket = self.artifacts.add_bucket("Data", event_bridge_enabled=True)
            self.registry = ModelRegistry(
                self,
                "Registry",
                model_package_group_name=config.model_package_group_name,
                description="Breast cancer classifiers trained by the MLOps pipeline",
                artifact_store=self.artifacts,
                shared_with_accounts=config.registry_reader_accounts,
                removal_policy=removal,
            )
        for bucket in (self.artifacts.bucket, self.data_bucket, self.artifacts.access_logs_bucket):
            if bucket is None:
                continue
            Validations.of(bucket).acknowledge(
                Acknowledgment(
                    id="NIST.800.53.R5-S3BucketReplicationEnabled",
                    reason="versioned and retained in production; cross-region replication "
                    "needs a second region this reference app does not deploy",
                )
            )
        # Where the endpoint's alarms (and, with a pipeline, its failures) are sent.
        self.alarm_topic: sns.ITopic
        if self.data_bucket is not None and self.registry is not None:
            self.alarm_topic = self._train(
                config, revision, removal, self.data_bucket, self.registry
            )
            self._grant_approvers(config, self.registry)
        else:
            self.alarm_topic = self._endpoint_alarm_topic(config)
        if model_source is not None:
            # Whether or not this environment serves a version yet: the source's bucket
            # gets its name (a replacement, once deployed) before the source trains the
            # versions to promote, which the endpoint then finds in it. Shared only once
            # this environment serves one, the versions approved meanwhile would point
            # into the bucket it replaced, and the endpoint's model data reader refuses
            # model data outside the source's bucket.
            model_source.share_versions_with(config.account or "")
        self.endpoint: ModelEndpoint | None = None
        if config.model_package_arn is not None:
            registry, model_store = self.registry, None
            if model_source is not None:
                registry = model_source.registry  # checks the version is of the source's group
                model_store = self._source_models(model_source)
            # SageMaker applies no deployment guardrails to Inferentia 1 instances (it updates
            # them all at once, without baking or rollback): such an endpoint gets none, and
            # no rollback alarm, rather than a deployment ModelEndpoint would refuse.
            guarded = (
                instance_family(config.endpoint_instance_type) not in GUARDRAIL_EXCLUDED_FAMILIES
            )
            self.endpoint = ModelEndpoint(
                self,
                "Endpoint",
                model_package_arn=config.model_package_arn,
                artifact_store=self.artifacts,
                registry=registry,  # checks the version is of the served group
                model_store=model_store,
                instance_type=config.endpoint_instance_type,
                # Production: no single instance (and Availability Zone) to lose.
                initial_instance_count=PRODUCTION_MIN_INSTANCES if config.retain_data else None,
                # Named after the environment's group: a name to invoke, the same from one
                # version to the next (a new version updates the endpoint in place).
                endpoint_name=config.model_package_group_name,
                # Every request and response (text/csv, as the model's inference.py takes and
                # returns), for Model Monitor, under data-capture/ of the artifact store.
                data_capture=DataCapture(csv_content_types=["text/csv"]),
                # The model needs no network: its code and dependencies are in the image and
                # model.tar.gz (example_project/scripts/model/inference.py).
                enable_network_isolation=config.require_network_isolation,
                # All traffic at once, watched while it bakes (one or two instances: no
                # canary worth sizing).
                deployment=Deployment.all_at_once(
                    wait=BAKE, termination_wait=BAKE, timeout=Duration.hours(1)
                )
                if guarded
                else None,
            )
        if self.endpoint is not None and config.serves_endpoint is None:
            # Declared, the next deploy without model_package_arn:<name> fails synth;
            # undeclared, it synthesizes no endpoint and CloudFormation deletes this one.
            key = model_package_arn_key(config.name)
            Annotations.of(self.endpoint).add_warning_v2(
                SERVES_ENDPOINT_NOT_DECLARED,
                f"environment '{config.name}' serves a version ('{key}') without declaring "
                f"'{SERVES}': a later deploy without '{key}' (a -c value holds for one "
                "deploy) synthesizes no endpoint, and CloudFormation deletes this one. Set "
                f"\"{SERVES}\": true in its settings (cdk.json 'environments'), so that "
                "such a deploy fails instead",
            )
        if self.endpoint is not None and model_source is not None:
            self._decrypt_source_models_only(self.endpoint.role_policy, model_source.config)
        self.data_quality: DataQualityMonitor | None = None
        # An environment may turn the monitor off: a version registered before the upgrade
        # records no DriftCheckBaselines, and the monitor's job definition would fail the
        # deploy (docs/upgrading.md, "Upgrading to this release").
        if self.endpoint is not None and config.data_quality_monitor:
            self.data_quality = self._monitor_data_quality(self.endpoint, model_source)
        if self.endpoint is not None and self.endpoint.deployment is not None:
            server_errors = self.endpoint.metric_invocation_5xx_errors(
                new_fleet_only=True, period=Duration.minutes(1)
            ).create_alarm(
                self.endpoint,
                "ServerErrors",
                # Read by whoever it pages, at any hour: the same alarm watches the serving
                # fleet between deployments, when nothing rolls back by itself.
                alarm_description="More than 1% of the endpoint's requests answered with a "
                "5xx error, 3 minutes running, by the fleet of its current endpoint "
                "configuration. While a new version bakes (the "
                f"{BAKE.to_minutes()} minutes after it takes all traffic) SageMaker rolls "
                "back to the old fleet by itself; at any other time nothing rolls back: "
                f"read its log (/aws/sagemaker/Endpoints/{config.model_package_group_name}) "
                "and roll back by hand (docs/reference-app.md, Operating it)",
                threshold=SERVER_ERROR_RATE,
                evaluation_periods=3,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
            # Whoever hears of a failed run hears of a rollback too (notify_topic: the
            # topic's own policy, TLS only and the failure rule, admits no alarm by itself),
            # and of its end (ok=True): a page that never says it cleared is read again.
            notify_topic(server_errors, self.alarm_topic, ok=True)
            self.endpoint.add_rollback_alarm(server_errors)
        if self.endpoint is not None:
            # The whole variant, every fleet, at any time, notify-only: ServerErrors above
            # watches the current configuration's fleet, for the rollback.
            self.endpoint.add_error_alarms(
                topic=self.alarm_topic,
                server_error_rate=SERVER_ERROR_RATE,
                model_error_rate=MODEL_ERROR_RATE,
                min_invocations=MIN_INVOCATIONS,
            )
        if self.endpoint is not None and model_source is None:
            # A version rejected (or its approval withdrawn) after its deploy keeps serving
            # until the next deploy: page whoever hears of failed runs. Not for a version
            # of a model_source, whose events SageMaker sends in the source's account.
            self.endpoint.notify_on_rejection(self.alarm_topic)
        if self.endpoint is not None and config.retain_data:
            self._watch_production_endpoint(self.endpoint)
        # What a person needs after `cdk deploy` (it prints these): where to put data, what
        # to start, where models are registered. No exports: nothing may come to depend on them.
        outputs: list[tuple[str, str, str]] = []
        if self.data_bucket is not None and self.pipeline is not None and self.registry is not None:
            outputs += [
                (
                    "DataBucketName",
                    self.data_bucket.bucket_name,
                    "Put data under incoming/ (a run starts on each new object) or curated/ "
                    "(the default InputDataKey)",
                ),
                (
                    "PipelineName",
                    self.pipeline.pipeline_name,
                    "aws sagemaker start-pipeline-execution --pipeline-name <this>",
                ),
                (
                    "ModelPackageGroupName",
                    self.registry.model_package_group_name,
                    "Registered models, pending manual approval",
                ),
                (
                    "NotificationTopicArn",
                    self.alarm_topic.topic_arn,
                    "Failed or stopped runs; subscribe to be told",
                ),
            ]
        else:
            outputs.append(
                (
                    "NotificationTopicArn",
                    self.alarm_topic.topic_arn,
                    "The endpoint's alarms (errors, latency, drift); subscribe to be told",
                )
            )
        if self.registry is not None and self.registry.approve_policy is not None:
            outputs.append(
                (
                    "ApprovePolicyArn",
                    self.registry.approve_policy.managed_policy_arn,
                    "Attach to the approvers' roles (or their permission set): until then "
                    "they may approve only what their own policies allow",
                )
            )
        for output_id, value, description in outputs:
            CfnOutput(self, output_id, value=value, description=description)
        if self.endpoint is not None:
            CfnOutput(
                self,
                "EndpointName",
                value=self.endpoint.endpoint_name,
                description="aws sagemaker-runtime invoke-endpoint --endpoint-name <this> "
                "--content-type text/csv --body fileb://rows.csv predictions.csv",
            )
            # The version deployed, where the on-call looks first (describe-stacks): the one
            # to roll back from, and what "the previous version" is relative to.
            CfnOutput(
                self,
                "ServedModelPackageArn",
                value=self.endpoint.model_package_arn,
                description="The approved version the endpoint serves "
                f"(model_package_arn:{config.name}); roll back by deploying the previous one",
            )

    def _train(
        self,
        config: EnvironmentConfig,
        revision: SourceRevision | None,
        removal: RemovalPolicy,
        data_bucket: s3.IBucket,
        registry: ModelRegistry,
    ) -> sns.ITopic:
        """The pipeline, its trigger and schedule, notifications and monitoring; approvers.

        Returns the topic of the pipeline's failures, where the endpoint's alarms go too.
        """
        settings = PipelineSettings(
            processing_instance_type=config.processing_instance_type,
            training_instance_type=config.training_instance_type,
            accuracy_threshold=config.accuracy_threshold,
            # The fixed floor: a run's AccuracyThreshold may raise the bar, never lower it.
            accuracy_floor=config.minimum_accuracy,
            # No step cached. Preprocess reads curated/, whose content changes while its
            # arguments (the cache key) don't: the schedule's runs would all reuse the first
            # one's split, and so its model (warned: scheduled-cache-hit). Train and Evaluate
            # read Preprocess's outputs of the run (a new location each time), so once it runs
            # they would never hit: a cache on them buys nothing.
            cache_expire_after=None,
        )
        pipeline = self.pipeline = Pipeline(
            self,
            "Training",
            pipeline_name=f"{config.name}-breast-cancer-training",
            description="Preprocess, train and evaluate; register the model if accurate enough",
            definition=build_pipeline(
                data_bucket=data_bucket.bucket_name,
                data_key=CURATED_PREFIX,
                model_package_group_name=registry.model_package_group_name,
                settings=settings,
                source_commit=revision.commit if revision else None,
                source_repository=revision.repository if revision else None,
            ),
            artifact_store=self.artifacts,
            max_parallel_execution_steps=4,
            enable_network_isolation=config.require_network_isolation,
            parameter_locations={"InputDataKey": [f"{CURATED_PREFIX}*", f"{INCOMING_PREFIX}*"]},
            # Every job step runs as a role of its own, derived from that step alone:
            # Preprocess, which parses whatever lands under incoming/, can't overwrite the
            # models or the evaluation, nor Evaluate the model; a step added later gets one too.
            dedicated_step_roles="*",
            job_tags=self.cost_tags,
            # The instance types its parameters offer (their EnumValues), and no other: an
            # execution given another (an ml.p4d) has its job denied to the pipeline role.
            allowed_instance_types=INSTANCE_TYPES,
            # Its execution history: which run trained which registered version.
            removal_policy=removal,
        )
        trigger = self.new_data_trigger = NewDataTrigger(
            self,
            "OnNewData",
            pipeline=pipeline,
            bucket=data_bucket,
            prefix=INCOMING_PREFIX,
            key_parameter="InputDataKey",
        )
        if config.schedule is not None:
            self.schedule = PipelineSchedule(
                self,
                "Retrain",
                pipeline=pipeline,
                schedule=scheduler.ScheduleExpression.expression(config.schedule),
                parameters={"InputDataKey": CURATED_PREFIX},
            )
        notifications = self.notifications = PipelineFailureNotifications(
            self,
            "Failures",
            pipeline=pipeline,
            emails=[config.alarm_email] if config.alarm_email else [],
        )
        if config.alarm_email is None and not config.retain_data:
            # A throwaway environment (dev, staging) may go unwatched: its failures show on
            # the dashboard and in Studio. One with retain_data (prod) stays warned at every
            # synth until it names someone to tell (or the warning is acknowledged there).
            Annotations.of(notifications).acknowledge_warning(
                f"{WARNING_PREFIX}:no-subscribers",
                "an environment without retain_data: its failures are read on the dashboard; "
                "set alarm_email (or subscribe to NotificationTopicArn) to be told",
            )
        # A run that never started (its start refused or throttled) is a dead letter.
        dead_letter_queues = [trigger.dead_letter_queue]
        if self.schedule is not None:
            dead_letter_queues.append(self.schedule.dead_letter_queue)
        self.monitoring = PipelineMonitoring(
            self,
            "Monitoring",
            pipeline=pipeline,
            alarm_topic=notifications.topic,
            # The notifications already send each failed execution, with its ARN: the alarm
            # stays on the dashboard, and a failure is one message rather than three.
            notify_failed_executions=False,
            dead_letter_queues=dead_letter_queues,
            # Production's scheduled retraining stopping (a disabled schedule, starts
            # refused, every run stopped by the quality gate) fails no execution: no success
            # in SUCCESS_WINDOW pages. Only with a schedule, which SUCCESS_WINDOW assumes daily.
            success_expected_within=SUCCESS_WINDOW
            if config.retain_data and config.schedule is not None
            else None,
        )
        return notifications.topic

    def _grant_approvers(self, config: EnvironmentConfig, registry: ModelRegistry) -> None:
        """Let ``config.approvers`` (role ARNs of this account) approve the registry's versions.

        Imported with ``mutable=False``: the approvers' roles are managed outside this app (a
        platform team's, an IAM Identity Center permission set's, which IAM won't let
        another change), so ``grant_approve`` puts the statement in a managed policy of its
        own, left unattached, for them to attach (output ``ApprovePolicyArn``; the registry
        warns, ``immutable-role``). Its name is fixed, ``<group>-approve``: a permission set
        refers to a customer managed policy by its name.
        """
        for arn in config.approvers:
            # By the role's account and name (unique in the account, whatever its path): an
            # id that doesn't move when another approver is added or removed.
            account, name = arn.split(":")[4], arn.rsplit("/", 1)[-1]
            registry.grant_approve(
                iam.Role.from_role_arn(self, f"Approver-{account}-{name}", arn, mutable=False)
            )
        if registry.approve_policy is not None:
            policy = cast(iam.CfnManagedPolicy, registry.approve_policy.node.default_child)
            policy.managed_policy_name = f"{config.model_package_group_name}-approve"

    def _endpoint_alarm_topic(self, config: EnvironmentConfig) -> sns.Topic:
        """The topic of the endpoint's alarms, in an environment that doesn't train.

        Encrypted and TLS-only as the pipeline's failure topic is (which an environment
        that trains sends them to), with ``alarm_email`` subscribed. Always there, endpoint
        or not: its subscribers stay confirmed from one version (or none) to the next.
        """
        alarms = Construct(self, "EndpointAlarms")
        topic = sns.Topic(
            alarms,
            "Topic",
            master_key=kms.Key(
                alarms,
                "Key",
                description="Encrypts the endpoint's alarm notifications",
                enable_key_rotation=True,
                removal_policy=RemovalPolicy.DESTROY,
            ),
            enforce_ssl=True,
            display_name=f"SageMaker endpoint alarms ({config.name})",
        )
        if config.alarm_email is not None:
            topic.add_subscription(subscriptions.EmailSubscription(config.alarm_email))
        elif config.retain_data:
            # As the pipeline's failure topic warns (no-subscribers): a production
            # endpoint's errors, latency and drift would page no one.
            Annotations.of(topic).add_warning_v2(
                NO_ALARM_EMAIL,
                f"environment '{config.name}' has no 'alarm_email': the endpoint's alarms "
                "(errors, latency, drift) reach no one. Set it, or subscribe to the output "
                "NotificationTopicArn and acknowledge this warning",
            )
        return topic

    def share_versions_with(self, account: str) -> None:
        """Let ``account`` deploy this environment's versions: its registry and ``models/``.

        The artifact bucket gets a physical name (``config.artifact_bucket_name``), which
        the other account's stack computes: CloudFormation can't refer to a name it
        generates in another account. Renaming a deployed bucket replaces it (see
        docs/upgrading.md, "Changing a deployed app"): so only an environment that is
        another's ``model_source`` gets one.

        Example::

            dev_stack.share_versions_with("333333333333")  # prod serves dev's versions
        """
        if self.registry is None:  # load_environments refuses such a model_source
            raise ValueError(
                f"environment {self.config.name!r} doesn't train (trains False): it registers "
                "no versions to share"
            )
        bucket = cast(s3.CfnBucket, self.artifacts.bucket.node.default_child)
        bucket.bucket_name = self.config.artifact_bucket_name
        self.registry.share_with_account(account)  # and models/ of the artifact store
        # The other account's endpoint reads its model from this bucket, decrypted with this
        # key, whenever it starts an instance (scaling out, a replacement), and its versions
        # are this registry's: they outlive this stack, whatever retain_data says.
        self.artifacts.bucket.apply_removal_policy(RemovalPolicy.RETAIN)
        cast(kms.Key, self.artifacts.key).apply_removal_policy(RemovalPolicy.RETAIN)
        self.registry.apply_removal_policy(RemovalPolicy.RETAIN)

    def _source_models(self, source: MlOpsStack) -> ArtifactStore:
        """The source environment's artifact store, adopted by the names it is known by here.

        The source shares its registry and models/ with this account (``__init__``). Its key's ARN
        holds an id KMS draws at deploy: the endpoint's role may decrypt with the source
        account's keys of this region (``key/*``), which only the key the source shared
        admits, through S3, for this account (its key policy: ``share_models_with``).
        """
        account, region = source.config.account, source.config.region
        store = ArtifactStore.from_existing(
            self,
            "SourceModels",
            bucket=s3.Bucket.from_bucket_name(
                self, "SourceBucket", source.config.artifact_bucket_name
            ),
            key=kms.Key.from_key_arn(
                self, "SourceKey", f"arn:{self.partition}:kms:{region}:{account}:key/*"
            ),
        )
        Annotations.of(store).acknowledge_warning(
            f"{WARNING_PREFIX}:key-of-another-account",
            f"environment {source.config.name!r} of this app shares its key with this "
            "account (MlOpsStack.share_versions_with)",
        )
        return store

    def _monitor_data_quality(
        self, endpoint: ModelEndpoint, model_source: MlOpsStack | None
    ) -> DataQualityMonitor:
        """Compare the endpoint's requests daily with its version's baseline; alarm on drift.

        The baseline is the one the served version records (``DriftCheckBaselines``: the
        pipeline's DataQualityCheck of its training data, sealed), read from the version at
        deploy time: a new version brings its own. A version of the model source is read
        from the source's registry, its files from the source's bucket (sealed/, which the
        source shares with this account), decrypted with the source's key.
        """
        monitor = DataQualityMonitor(
            self,
            "DataQuality",
            endpoint=endpoint,
            baseline=MonitorBaseline.from_model_package(
                self,
                "DataQualityBaseline",
                model_package_arn=endpoint.model_package_arn,
            ),
            schedule=MonitorSchedule.daily(hour=MONITOR_HOUR),
        )
        if model_source is not None:
            self._decrypt_source_models_only(monitor.role_policy, model_source.config)
        features = monitored_feature_names()
        alarms = []
        for start in range(0, len(features), FEATURES_PER_DRIFT_ALARM):
            group = features[start : start + FEATURES_PER_DRIFT_ALARM]
            drift = cloudwatch.MathExpression(
                expression=f"MAX([{', '.join(f'f{i}' for i in range(len(group)))}])",
                using_metrics={
                    f"f{i}": monitor.metric_feature_baseline_drift(name)
                    for i, name in enumerate(group)
                },
                label=f"Largest drift of {group[0]}-{group[-1]}",
                period=Duration.days(1),
            )
            alarms.append(
                drift.create_alarm(
                    monitor,
                    f"Drift{group[0]}To{group[-1]}",
                    alarm_description=f"The endpoint's requests of the last day drift from the "
                    f"served version's training data (baseline) in one of the features "
                    f"{group[0]}-{group[-1]} (the model's input columns, from 0) by more than "
                    f"{DRIFT_THRESHOLD}: read the run's report (docs/model-monitoring.md, "
                    "When drift is detected)",
                    threshold=DRIFT_THRESHOLD,
                    evaluation_periods=1,
                    comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                    # No run, or no requests to analyze: no data, no drift.
                    treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                )
            )
        # Whoever hears of a failed run hears of drift, and of its end (ok=True).
        notify_topic(alarms, self.alarm_topic, ok=True)
        # The drift alarms take a day without results as no drift: a monitor whose runs
        # fail (or find no requests) two days running pages instead of going blind.
        monitor.add_missing_results_alarm(
            features[0], missed_runs=MONITOR_MISSED_RUNS, topic=self.alarm_topic
        )
        return monitor

    def _decrypt_source_models_only(
        self, policy: iam.ManagedPolicy, source: EnvironmentConfig
    ) -> None:
        """Narrow a role's use of the source account's keys to S3 reads of its bucket.

        The endpoint's role, and the monitor's (the baseline files), may decrypt with any
        key of the source account (``key/*``: the key's ARN is drawn at deploy); the
        source's key policy admits this account to its artifact key only. Denied besides: a
        decrypt not made by S3 for an object of the source's bucket (with a bucket key, S3's
        encryption context is the bucket's ARN).
        """
        keys = f"arn:{self.partition}:kms:{source.region}:{source.account}:key/*"
        bucket = f"arn:{self.partition}:s3:::{source.artifact_bucket_name}"
        policy.add_statements(
            iam.PolicyStatement(
                sid="SourceKeyThroughS3Only",
                effect=iam.Effect.DENY,
                actions=["kms:Decrypt"],
                resources=[keys],
                conditions={
                    "StringNotEquals": {"kms:ViaService": f"s3.{source.region}.{self.url_suffix}"}
                },
            ),
            iam.PolicyStatement(
                sid="SourceKeyForSourceModelsOnly",
                effect=iam.Effect.DENY,
                actions=["kms:Decrypt"],
                resources=[keys],
                conditions={
                    "StringNotLike": {
                        "kms:EncryptionContext:aws:s3:arn": [
                            bucket,
                            f"{bucket}/models/*",
                            f"{bucket}/sealed/*",
                        ]
                    }
                },
            ),
        )
        # The finding names the resource as cdk-nag writes it: a partition reference (an
        # app without enablePartitionLiterals) as <AWS::Partition>. A token in the id would
        # fail synth: an acknowledgment's id is a key of the stack's metadata.
        partition = "<AWS::Partition>" if Token.is_unresolved(self.partition) else self.partition
        named = f"arn:{partition}:kms:{source.region}:{source.account}:key/*"
        Validations.of(policy).acknowledge(
            Acknowledgment(
                id=f"AwsSolutions-IAM5[Resource::{named}]",
                reason=f"{named}: the source's key ARN is drawn at deploy; its key policy "
                "admits this account to its artifact key only, and the policy denies any "
                "decrypt but S3's of the source's bucket",
            )
        )

    def _watch_production_endpoint(self, endpoint: ModelEndpoint) -> None:
        """Scale the production endpoint with its traffic; tell the on-call of slow answers.

        Dev and staging stay on one instance, unscaled: cheap, and nobody's traffic.
        """
        endpoint.add_auto_scaling(
            min_capacity=PRODUCTION_MIN_INSTANCES,
            max_capacity=PRODUCTION_MAX_INSTANCES,
            target_invocations_per_instance=INVOCATIONS_PER_INSTANCE,
        )
        latency = endpoint.metric_model_latency(
            statistic="p99", period=Duration.minutes(5)
        ).create_alarm(
            endpoint,
            "Latency",
            alarm_description="The endpoint's model answers 1% of requests in more than "
            f"{LATENCY_P99.to_seconds()} s (ModelLatency p99), 15 minutes running: scaling "
            "did not keep up, or the model is slow (docs/reference-app.md, Operating it)",
            threshold=LATENCY_P99.to_seconds() * 1_000_000,  # ModelLatency is in microseconds
            evaluation_periods=3,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        notify_topic(latency, self.alarm_topic, ok=True)  # as the rollback alarm
