"""Typed step properties, for type checkers and IDEs: a stub, not a module to import.

``TrainingStep(...).properties`` is a ``TrainingStepProperties`` for a checker, so
``train.properties.ModelArtifacts.S3ModelArtifacts`` completes in an IDE and a misspelt
member is a type error. At run time every value is a ``Properties``: import names from
here only under ``if TYPE_CHECKING:``.

Generated from botocore 1.44.8 (emr 2009-03-31, sagemaker 2017-07-24) by
``python scripts/generate_property_types.py``: do not edit.
"""

from typing import Final, Generic, Literal, TypeVar

from .properties import Properties

_T_co = TypeVar("_T_co", bound=Properties, covariant=True)

class PropertyString(Properties):
    """A property whose value is a string."""

    @property
    def value_type(self) -> Literal["String"]: ...

class PropertyInteger(Properties):
    """A property whose value is an integer."""

    @property
    def value_type(self) -> Literal["Integer"]: ...

class PropertyFloat(Properties):
    """A property whose value is a float."""

    @property
    def value_type(self) -> Literal["Float"]: ...

class PropertyBoolean(Properties):
    """A property whose value is a boolean."""

    @property
    def value_type(self) -> Literal["Boolean"]: ...

class PropertyTimestamp(Properties):
    """A property whose value is a timestamp."""

    @property
    def value_type(self) -> Literal["Timestamp"]: ...

class PropertyList(Properties, Generic[_T_co]):
    """A list of values: index it by position, from 0 (``[0]``)."""

    def __getitem__(self, key: int, /) -> _T_co: ...

class PropertyKeyedList(Properties, Generic[_T_co]):
    """A list of structures: index it by position or by name (``Outputs["train"]``)."""

    def __getitem__(self, key: int | str, /) -> _T_co: ...

class PropertyMap(Properties, Generic[_T_co]):
    """A map: index it with a string key (``OutputParameters["rows"]``)."""

    def __getitem__(self, key: str, /) -> _T_co: ...

class AcceleratorPartitionLayoutProperties(Properties):
    """botocore's sagemaker ``AcceleratorPartitionLayout``."""

    AcceleratorPartitionTypes: Final[PropertyList[PropertyString]]

class AdditionalInferenceSpecificationDefinitionProperties(Properties):
    """botocore's sagemaker ``AdditionalInferenceSpecificationDefinition``."""

    Containers: Final[PropertyKeyedList[ModelPackageContainerDefinitionProperties]]
    Description: Final[PropertyString]
    Name: Final[PropertyString]
    SupportedContentTypes: Final[PropertyList[PropertyString]]
    SupportedRealtimeInferenceInstanceTypes: Final[PropertyList[PropertyString]]
    SupportedResponseMIMETypes: Final[PropertyList[PropertyString]]
    SupportedTransformInstanceTypes: Final[PropertyList[PropertyString]]

class AdditionalModelDataSourceProperties(Properties):
    """botocore's sagemaker ``AdditionalModelDataSource``."""

    ChannelName: Final[PropertyString]
    S3DataSource: Final[S3ModelDataSourceProperties]

class AdditionalS3DataSourceProperties(Properties):
    """botocore's sagemaker ``AdditionalS3DataSource``."""

    CompressionType: Final[PropertyString]
    ETag: Final[PropertyString]
    S3DataType: Final[PropertyString]
    S3Uri: Final[PropertyString]

class AlarmProperties(Properties):
    """botocore's sagemaker ``Alarm``."""

    AlarmName: Final[PropertyString]

class AlgorithmSpecificationProperties(Properties):
    """botocore's sagemaker ``AlgorithmSpecification``."""

    AlgorithmName: Final[PropertyString]
    ContainerArguments: Final[PropertyList[PropertyString]]
    ContainerEntrypoint: Final[PropertyList[PropertyString]]
    EnableSageMakerMetricsTimeSeries: Final[PropertyBoolean]
    MetricDefinitions: Final[PropertyKeyedList[MetricDefinitionProperties]]
    TrainingImage: Final[PropertyString]
    TrainingImageConfig: Final[TrainingImageConfigProperties]
    TrainingInputMode: Final[PropertyString]

class AppSpecificationProperties(Properties):
    """botocore's sagemaker ``AppSpecification``."""

    ContainerArguments: Final[PropertyList[PropertyString]]
    ContainerEntrypoint: Final[PropertyList[PropertyString]]
    ImageUri: Final[PropertyString]

class AssociationInfoProperties(Properties):
    """botocore's sagemaker ``AssociationInfo``."""

    DestinationArn: Final[PropertyString]
    SourceArn: Final[PropertyString]

class AsyncInferenceClientConfigProperties(Properties):
    """botocore's sagemaker ``AsyncInferenceClientConfig``."""

    MaxConcurrentInvocationsPerInstance: Final[PropertyInteger]

class AsyncInferenceConfigProperties(Properties):
    """botocore's sagemaker ``AsyncInferenceConfig``."""

    ClientConfig: Final[AsyncInferenceClientConfigProperties]
    OutputConfig: Final[AsyncInferenceOutputConfigProperties]

class AsyncInferenceNotificationConfigProperties(Properties):
    """botocore's sagemaker ``AsyncInferenceNotificationConfig``."""

    ErrorTopic: Final[PropertyString]
    IncludeInferenceResponseIn: Final[PropertyList[PropertyString]]
    SuccessTopic: Final[PropertyString]

class AsyncInferenceOutputConfigProperties(Properties):
    """botocore's sagemaker ``AsyncInferenceOutputConfig``."""

    KmsKeyId: Final[PropertyString]
    NotificationConfig: Final[AsyncInferenceNotificationConfigProperties]
    S3FailurePath: Final[PropertyString]
    S3OutputPath: Final[PropertyString]

class AthenaDatasetDefinitionProperties(Properties):
    """botocore's sagemaker ``AthenaDatasetDefinition``."""

    Catalog: Final[PropertyString]
    Database: Final[PropertyString]
    KmsKeyId: Final[PropertyString]
    OutputCompression: Final[PropertyString]
    OutputFormat: Final[PropertyString]
    OutputS3Uri: Final[PropertyString]
    QueryString: Final[PropertyString]
    WorkGroup: Final[PropertyString]

class AutoMLAlgorithmConfigProperties(Properties):
    """botocore's sagemaker ``AutoMLAlgorithmConfig``."""

    AutoMLAlgorithms: Final[PropertyList[PropertyString]]

class AutoMLCandidateGenerationConfigProperties(Properties):
    """botocore's sagemaker ``AutoMLCandidateGenerationConfig``."""

    AlgorithmsConfig: Final[PropertyKeyedList[AutoMLAlgorithmConfigProperties]]
    FeatureSpecificationS3Uri: Final[PropertyString]

class AutoMLCandidateProperties(Properties):
    """botocore's sagemaker ``AutoMLCandidate``."""

    CandidateName: Final[PropertyString]
    CandidateProperties: Final[CandidatePropertiesProperties]
    CandidateStatus: Final[PropertyString]
    CandidateSteps: Final[PropertyKeyedList[AutoMLCandidateStepProperties]]
    CreationTime: Final[PropertyTimestamp]
    EndTime: Final[PropertyTimestamp]
    FailureReason: Final[PropertyString]
    FinalAutoMLJobObjectiveMetric: Final[FinalAutoMLJobObjectiveMetricProperties]
    InferenceContainerDefinitions: Final[
        PropertyMap[PropertyKeyedList[AutoMLContainerDefinitionProperties]]
    ]
    InferenceContainers: Final[PropertyKeyedList[AutoMLContainerDefinitionProperties]]
    LastModifiedTime: Final[PropertyTimestamp]
    ObjectiveStatus: Final[PropertyString]

class AutoMLCandidateStepProperties(Properties):
    """botocore's sagemaker ``AutoMLCandidateStep``."""

    CandidateStepArn: Final[PropertyString]
    CandidateStepName: Final[PropertyString]
    CandidateStepType: Final[PropertyString]

class AutoMLChannelProperties(Properties):
    """botocore's sagemaker ``AutoMLChannel``."""

    ChannelType: Final[PropertyString]
    CompressionType: Final[PropertyString]
    ContentType: Final[PropertyString]
    DataSource: Final[AutoMLDataSourceProperties]
    SampleWeightAttributeName: Final[PropertyString]
    TargetAttributeName: Final[PropertyString]

class AutoMLContainerDefinitionProperties(Properties):
    """botocore's sagemaker ``AutoMLContainerDefinition``."""

    Environment: Final[PropertyMap[PropertyString]]
    Image: Final[PropertyString]
    ModelDataUrl: Final[PropertyString]

class AutoMLDataSourceProperties(Properties):
    """botocore's sagemaker ``AutoMLDataSource``."""

    S3DataSource: Final[AutoMLS3DataSourceProperties]

class AutoMLDataSplitConfigProperties(Properties):
    """botocore's sagemaker ``AutoMLDataSplitConfig``."""

    ValidationFraction: Final[PropertyFloat]

class AutoMLJobArtifactsProperties(Properties):
    """botocore's sagemaker ``AutoMLJobArtifacts``."""

    CandidateDefinitionNotebookLocation: Final[PropertyString]
    DataExplorationNotebookLocation: Final[PropertyString]

class AutoMLJobCompletionCriteriaProperties(Properties):
    """botocore's sagemaker ``AutoMLJobCompletionCriteria``."""

    MaxAutoMLJobRuntimeInSeconds: Final[PropertyInteger]
    MaxCandidates: Final[PropertyInteger]
    MaxRuntimePerTrainingJobInSeconds: Final[PropertyInteger]

class AutoMLJobConfigProperties(Properties):
    """botocore's sagemaker ``AutoMLJobConfig``."""

    CandidateGenerationConfig: Final[AutoMLCandidateGenerationConfigProperties]
    CompletionCriteria: Final[AutoMLJobCompletionCriteriaProperties]
    DataSplitConfig: Final[AutoMLDataSplitConfigProperties]
    Mode: Final[PropertyString]
    SecurityConfig: Final[AutoMLSecurityConfigProperties]

class AutoMLJobObjectiveProperties(Properties):
    """botocore's sagemaker ``AutoMLJobObjective``."""

    MetricName: Final[PropertyString]

class AutoMLOutputDataConfigProperties(Properties):
    """botocore's sagemaker ``AutoMLOutputDataConfig``."""

    KmsKeyId: Final[PropertyString]
    S3OutputPath: Final[PropertyString]

class AutoMLPartialFailureReasonProperties(Properties):
    """botocore's sagemaker ``AutoMLPartialFailureReason``."""

    PartialFailureMessage: Final[PropertyString]

class AutoMLS3DataSourceProperties(Properties):
    """botocore's sagemaker ``AutoMLS3DataSource``."""

    S3DataType: Final[PropertyString]
    S3Uri: Final[PropertyString]

class AutoMLSecurityConfigProperties(Properties):
    """botocore's sagemaker ``AutoMLSecurityConfig``."""

    EnableInterContainerTrafficEncryption: Final[PropertyBoolean]
    VolumeKmsKeyId: Final[PropertyString]
    VpcConfig: Final[VpcConfigProperties]

class AutoMLStepBestCandidateProperties(Properties):
    """``AutoMLStep.properties.BestCandidateProperties``.

    A member the step type adds of its own.
    """

    ExplainabilityJsonReportPath: Final[PropertyString]
    ModelInsightsJsonReportPath: Final[PropertyString]

class AutoMLStepProperties(Properties):
    """``AutoMLStep.properties``.

    The members of botocore's sagemaker ``DescribeAutoMLJobResponse``.
    """

    AutoMLJobArn: Final[PropertyString]
    AutoMLJobArtifacts: Final[AutoMLJobArtifactsProperties]
    AutoMLJobConfig: Final[AutoMLJobConfigProperties]
    AutoMLJobName: Final[PropertyString]
    AutoMLJobObjective: Final[AutoMLJobObjectiveProperties]
    AutoMLJobSecondaryStatus: Final[PropertyString]
    AutoMLJobStatus: Final[PropertyString]
    BestCandidate: Final[AutoMLCandidateProperties]
    BestCandidateProperties: Final[AutoMLStepBestCandidateProperties]
    CreationTime: Final[PropertyTimestamp]
    EndTime: Final[PropertyTimestamp]
    FailureReason: Final[PropertyString]
    GenerateCandidateDefinitionsOnly: Final[PropertyBoolean]
    InputDataConfig: Final[PropertyKeyedList[AutoMLChannelProperties]]
    LastModifiedTime: Final[PropertyTimestamp]
    ModelDeployConfig: Final[ModelDeployConfigProperties]
    ModelDeployResult: Final[ModelDeployResultProperties]
    OutputDataConfig: Final[AutoMLOutputDataConfigProperties]
    PartialFailureReasons: Final[PropertyKeyedList[AutoMLPartialFailureReasonProperties]]
    ProblemType: Final[PropertyString]
    ResolvedAttributes: Final[ResolvedAttributesProperties]
    RoleArn: Final[PropertyString]

class AutoParameterProperties(Properties):
    """botocore's sagemaker ``AutoParameter``."""

    Name: Final[PropertyString]
    ValueHint: Final[PropertyString]

class AutoRollbackConfigProperties(Properties):
    """botocore's sagemaker ``AutoRollbackConfig``."""

    Alarms: Final[PropertyKeyedList[AlarmProperties]]

class AutotuneProperties(Properties):
    """botocore's sagemaker ``Autotune``."""

    Mode: Final[PropertyString]

class BaseModelProperties(Properties):
    """botocore's sagemaker ``BaseModel``."""

    HubContentName: Final[PropertyString]
    HubContentVersion: Final[PropertyString]
    RecipeName: Final[PropertyString]

class BatchDataCaptureConfigProperties(Properties):
    """botocore's sagemaker ``BatchDataCaptureConfig``."""

    DestinationS3Uri: Final[PropertyString]
    GenerateInferenceId: Final[PropertyBoolean]
    KmsKeyId: Final[PropertyString]

class BestObjectiveNotImprovingProperties(Properties):
    """botocore's sagemaker ``BestObjectiveNotImproving``."""

    MaxNumberOfTrainingJobsNotImproving: Final[PropertyInteger]

class BiasProperties(Properties):
    """botocore's sagemaker ``Bias``."""

    PostTrainingReport: Final[MetricsSourceProperties]
    PreTrainingReport: Final[MetricsSourceProperties]
    Report: Final[MetricsSourceProperties]

class BlueGreenUpdatePolicyProperties(Properties):
    """botocore's sagemaker ``BlueGreenUpdatePolicy``."""

    MaximumExecutionTimeoutInSeconds: Final[PropertyInteger]
    TerminationWaitInSeconds: Final[PropertyInteger]
    TrafficRoutingConfiguration: Final[TrafficRoutingConfigProperties]

class CallbackStepProperties(Properties):
    """``CallbackStep.properties``.

    Members the step type defines: it describes no job.
    """

    OutputParameters: Final[PropertyMap[Properties]]
    Outputs: Final[PropertyMap[Properties]]

class CandidateArtifactLocationsProperties(Properties):
    """botocore's sagemaker ``CandidateArtifactLocations``."""

    BacktestResults: Final[PropertyString]
    Explainability: Final[PropertyString]
    ModelInsights: Final[PropertyString]

class CandidatePropertiesProperties(Properties):
    """botocore's sagemaker ``CandidateProperties``."""

    CandidateArtifactLocations: Final[CandidateArtifactLocationsProperties]
    CandidateMetrics: Final[PropertyKeyedList[MetricDatumProperties]]

class CapacitySizeProperties(Properties):
    """botocore's sagemaker ``CapacitySize``."""

    Type: Final[PropertyString]
    Value: Final[PropertyInteger]

class CaptureContentTypeHeaderProperties(Properties):
    """botocore's sagemaker ``CaptureContentTypeHeader``."""

    CsvContentTypes: Final[PropertyList[PropertyString]]
    JsonContentTypes: Final[PropertyList[PropertyString]]

class CaptureOptionProperties(Properties):
    """botocore's sagemaker ``CaptureOption``."""

    CaptureMode: Final[PropertyString]

class CategoricalParameterRangeProperties(Properties):
    """botocore's sagemaker ``CategoricalParameterRange``."""

    Name: Final[PropertyString]
    Values: Final[PropertyList[PropertyString]]

class ChannelProperties(Properties):
    """botocore's sagemaker ``Channel``."""

    ChannelName: Final[PropertyString]
    CompressionType: Final[PropertyString]
    ContentType: Final[PropertyString]
    DataSource: Final[DataSourceProperties]
    InputMode: Final[PropertyString]
    RecordWrapperType: Final[PropertyString]
    ShuffleConfig: Final[ShuffleConfigProperties]

class CheckpointConfigProperties(Properties):
    """botocore's sagemaker ``CheckpointConfig``."""

    LocalPath: Final[PropertyString]
    S3Uri: Final[PropertyString]

class ClarifyCheckStepProperties(Properties):
    """``ClarifyCheckStep.properties``.

    Members the step type defines: it describes no job.
    """

    BaselineUsedForDriftCheckConstraints: Final[PropertyString]
    CalculatedBaselineConstraints: Final[PropertyString]

class ClarifyExplainerConfigProperties(Properties):
    """botocore's sagemaker ``ClarifyExplainerConfig``."""

    EnableExplanations: Final[PropertyString]
    InferenceConfig: Final[ClarifyInferenceConfigProperties]
    ShapConfig: Final[ClarifyShapConfigProperties]

class ClarifyInferenceConfigProperties(Properties):
    """botocore's sagemaker ``ClarifyInferenceConfig``."""

    ContentTemplate: Final[PropertyString]
    FeatureHeaders: Final[PropertyList[PropertyString]]
    FeatureTypes: Final[PropertyList[PropertyString]]
    FeaturesAttribute: Final[PropertyString]
    LabelAttribute: Final[PropertyString]
    LabelHeaders: Final[PropertyList[PropertyString]]
    LabelIndex: Final[PropertyInteger]
    MaxPayloadInMB: Final[PropertyInteger]
    MaxRecordCount: Final[PropertyInteger]
    ProbabilityAttribute: Final[PropertyString]
    ProbabilityIndex: Final[PropertyInteger]

class ClarifyShapBaselineConfigProperties(Properties):
    """botocore's sagemaker ``ClarifyShapBaselineConfig``."""

    MimeType: Final[PropertyString]
    ShapBaseline: Final[PropertyString]
    ShapBaselineUri: Final[PropertyString]

class ClarifyShapConfigProperties(Properties):
    """botocore's sagemaker ``ClarifyShapConfig``."""

    NumberOfSamples: Final[PropertyInteger]
    Seed: Final[PropertyInteger]
    ShapBaselineConfig: Final[ClarifyShapBaselineConfigProperties]
    TextConfig: Final[ClarifyTextConfigProperties]
    UseLogit: Final[PropertyBoolean]

class ClarifyTextConfigProperties(Properties):
    """botocore's sagemaker ``ClarifyTextConfig``."""

    Granularity: Final[PropertyString]
    Language: Final[PropertyString]

class CollectionConfigurationProperties(Properties):
    """botocore's sagemaker ``CollectionConfiguration``."""

    CollectionName: Final[PropertyString]
    CollectionParameters: Final[PropertyMap[PropertyString]]

class ConditionStepProperties(Properties):
    """``ConditionStep.properties``.

    Members the step type defines: it describes no job.
    """

    Outcome: Final[PropertyBoolean]

class ContainerDefinitionProperties(Properties):
    """botocore's sagemaker ``ContainerDefinition``."""

    AdditionalModelDataSources: Final[PropertyKeyedList[AdditionalModelDataSourceProperties]]
    ContainerHostname: Final[PropertyString]
    ContainerMetricsConfig: Final[ContainerMetricsConfigProperties]
    Environment: Final[PropertyMap[PropertyString]]
    Image: Final[PropertyString]
    ImageConfig: Final[ImageConfigProperties]
    InferenceSpecificationName: Final[PropertyString]
    Mode: Final[PropertyString]
    ModelDataSource: Final[ModelDataSourceProperties]
    ModelDataUrl: Final[PropertyString]
    ModelPackageName: Final[PropertyString]
    MultiModelConfig: Final[MultiModelConfigProperties]

class ContainerMetricsConfigProperties(Properties):
    """botocore's sagemaker ``ContainerMetricsConfig``."""

    MetricsEndpoints: Final[PropertyKeyedList[MetricsEndpointProperties]]

class ContinuousParameterRangeProperties(Properties):
    """botocore's sagemaker ``ContinuousParameterRange``."""

    MaxValue: Final[PropertyString]
    MinValue: Final[PropertyString]
    Name: Final[PropertyString]
    ScalingType: Final[PropertyString]

class ConvergenceDetectedProperties(Properties):
    """botocore's sagemaker ``ConvergenceDetected``."""

    CompleteOnConvergence: Final[PropertyString]

class CrossRegionTrafficConfigProperties(Properties):
    """botocore's sagemaker ``CrossRegionTrafficConfig``."""

    MaxCrossRegionPercentPerEndpoint: Final[PropertyInteger]
    MaxInvocationsPerSecondPerInstance: Final[PropertyInteger]

class DataCaptureConfigProperties(Properties):
    """botocore's sagemaker ``DataCaptureConfig``."""

    CaptureContentTypeHeader: Final[CaptureContentTypeHeaderProperties]
    CaptureOptions: Final[PropertyKeyedList[CaptureOptionProperties]]
    DestinationS3Uri: Final[PropertyString]
    EnableCapture: Final[PropertyBoolean]
    InitialSamplingPercentage: Final[PropertyInteger]
    KmsKeyId: Final[PropertyString]

class DataCaptureConfigSummaryProperties(Properties):
    """botocore's sagemaker ``DataCaptureConfigSummary``."""

    CaptureStatus: Final[PropertyString]
    CurrentSamplingPercentage: Final[PropertyInteger]
    DestinationS3Uri: Final[PropertyString]
    EnableCapture: Final[PropertyBoolean]
    KmsKeyId: Final[PropertyString]

class DataProcessingProperties(Properties):
    """botocore's sagemaker ``DataProcessing``."""

    InputFilter: Final[PropertyString]
    JoinSource: Final[PropertyString]
    OutputFilter: Final[PropertyString]

class DataSourceProperties(Properties):
    """botocore's sagemaker ``DataSource``."""

    DatasetSource: Final[DatasetSourceProperties]
    FileSystemDataSource: Final[FileSystemDataSourceProperties]
    S3DataSource: Final[S3DataSourceProperties]

class DatasetDefinitionProperties(Properties):
    """botocore's sagemaker ``DatasetDefinition``."""

    AthenaDatasetDefinition: Final[AthenaDatasetDefinitionProperties]
    DataDistributionType: Final[PropertyString]
    InputMode: Final[PropertyString]
    LocalPath: Final[PropertyString]
    RedshiftDatasetDefinition: Final[RedshiftDatasetDefinitionProperties]

class DatasetSourceProperties(Properties):
    """botocore's sagemaker ``DatasetSource``."""

    DatasetArn: Final[PropertyString]

class DebugHookConfigProperties(Properties):
    """botocore's sagemaker ``DebugHookConfig``."""

    CollectionConfigurations: Final[PropertyKeyedList[CollectionConfigurationProperties]]
    HookParameters: Final[PropertyMap[PropertyString]]
    LocalPath: Final[PropertyString]
    S3OutputPath: Final[PropertyString]

class DebugRuleConfigurationProperties(Properties):
    """botocore's sagemaker ``DebugRuleConfiguration``."""

    InstanceType: Final[PropertyString]
    LocalPath: Final[PropertyString]
    RuleConfigurationName: Final[PropertyString]
    RuleEvaluatorImage: Final[PropertyString]
    RuleParameters: Final[PropertyMap[PropertyString]]
    S3OutputPath: Final[PropertyString]
    VolumeSizeInGB: Final[PropertyInteger]

class DebugRuleEvaluationStatusProperties(Properties):
    """botocore's sagemaker ``DebugRuleEvaluationStatus``."""

    LastModifiedTime: Final[PropertyTimestamp]
    RuleConfigurationName: Final[PropertyString]
    RuleEvaluationJobArn: Final[PropertyString]
    RuleEvaluationStatus: Final[PropertyString]
    StatusDetails: Final[PropertyString]

class DeployedImageProperties(Properties):
    """botocore's sagemaker ``DeployedImage``."""

    ResolutionTime: Final[PropertyTimestamp]
    ResolvedImage: Final[PropertyString]
    SpecifiedImage: Final[PropertyString]

class DeploymentConfigProperties(Properties):
    """botocore's sagemaker ``DeploymentConfig``."""

    AutoRollbackConfiguration: Final[AutoRollbackConfigProperties]
    BlueGreenUpdatePolicy: Final[BlueGreenUpdatePolicyProperties]
    RollingUpdatePolicy: Final[RollingUpdatePolicyProperties]

class DeploymentRecommendationProperties(Properties):
    """botocore's sagemaker ``DeploymentRecommendation``."""

    RealTimeInferenceRecommendations: Final[
        PropertyKeyedList[RealTimeInferenceRecommendationProperties]
    ]
    RecommendationStatus: Final[PropertyString]

class DriftCheckBaselinesProperties(Properties):
    """botocore's sagemaker ``DriftCheckBaselines``."""

    Bias: Final[DriftCheckBiasProperties]
    Explainability: Final[DriftCheckExplainabilityProperties]
    ModelDataQuality: Final[DriftCheckModelDataQualityProperties]
    ModelQuality: Final[DriftCheckModelQualityProperties]

class DriftCheckBiasProperties(Properties):
    """botocore's sagemaker ``DriftCheckBias``."""

    ConfigFile: Final[FileSourceProperties]
    PostTrainingConstraints: Final[MetricsSourceProperties]
    PreTrainingConstraints: Final[MetricsSourceProperties]

class DriftCheckExplainabilityProperties(Properties):
    """botocore's sagemaker ``DriftCheckExplainability``."""

    ConfigFile: Final[FileSourceProperties]
    Constraints: Final[MetricsSourceProperties]

class DriftCheckModelDataQualityProperties(Properties):
    """botocore's sagemaker ``DriftCheckModelDataQuality``."""

    Constraints: Final[MetricsSourceProperties]
    Statistics: Final[MetricsSourceProperties]

class DriftCheckModelQualityProperties(Properties):
    """botocore's sagemaker ``DriftCheckModelQuality``."""

    Constraints: Final[MetricsSourceProperties]
    Statistics: Final[MetricsSourceProperties]

class EMRStepProperties(Properties):
    """``EMRStep.properties``.

    The members of botocore's emr ``Step``.
    """

    ActionOnFailure: Final[PropertyString]
    AdditionalInfo: Final[StepAdditionalInfoProperties]
    Config: Final[HadoopStepConfigProperties]
    EncryptionKeyArn: Final[PropertyString]
    ExecutionRoleArn: Final[PropertyString]
    Id: Final[PropertyString]
    LogUri: Final[PropertyString]
    Name: Final[PropertyString]
    Status: Final[StepStatusProperties]

class Ec2CapacityReservationProperties(Properties):
    """botocore's sagemaker ``Ec2CapacityReservation``."""

    AvailableInstanceCount: Final[PropertyInteger]
    Ec2CapacityReservationId: Final[PropertyString]
    TotalInstanceCount: Final[PropertyInteger]
    UsedByCurrentEndpoint: Final[PropertyInteger]

class EndpointConfigStepProperties(Properties):
    """``EndpointConfigStep.properties``.

    The members of botocore's sagemaker ``DescribeEndpointConfigOutput``.
    """

    AsyncInferenceConfig: Final[AsyncInferenceConfigProperties]
    CreationTime: Final[PropertyTimestamp]
    CrossRegionTrafficConfig: Final[CrossRegionTrafficConfigProperties]
    DataCaptureConfig: Final[DataCaptureConfigProperties]
    EnableNetworkIsolation: Final[PropertyBoolean]
    EndpointConfigArn: Final[PropertyString]
    EndpointConfigName: Final[PropertyString]
    ExecutionRoleArn: Final[PropertyString]
    ExplainerConfig: Final[ExplainerConfigProperties]
    KmsKeyId: Final[PropertyString]
    MetricsConfig: Final[MetricsConfigProperties]
    ProductionVariants: Final[PropertyKeyedList[ProductionVariantProperties]]
    ShadowProductionVariants: Final[PropertyKeyedList[ProductionVariantProperties]]
    VpcConfig: Final[VpcConfigProperties]

class EndpointStepProperties(Properties):
    """``EndpointStep.properties``.

    The members of botocore's sagemaker ``DescribeEndpointOutput``.
    """

    AsyncInferenceConfig: Final[AsyncInferenceConfigProperties]
    CreationTime: Final[PropertyTimestamp]
    CrossRegionTrafficConfig: Final[CrossRegionTrafficConfigProperties]
    DataCaptureConfig: Final[DataCaptureConfigSummaryProperties]
    EndpointArn: Final[PropertyString]
    EndpointConfigName: Final[PropertyString]
    EndpointName: Final[PropertyString]
    EndpointStatus: Final[PropertyString]
    ExplainerConfig: Final[ExplainerConfigProperties]
    FailureReason: Final[PropertyString]
    LastDeploymentConfig: Final[DeploymentConfigProperties]
    LastModifiedTime: Final[PropertyTimestamp]
    MetricsConfig: Final[MetricsConfigProperties]
    PendingDeploymentSummary: Final[PendingDeploymentSummaryProperties]
    ProductionVariants: Final[PropertyKeyedList[ProductionVariantSummaryProperties]]
    ShadowProductionVariants: Final[PropertyKeyedList[ProductionVariantSummaryProperties]]

class ExperimentConfigProperties(Properties):
    """botocore's sagemaker ``ExperimentConfig``."""

    ExperimentName: Final[PropertyString]
    RunName: Final[PropertyString]
    TrialComponentDisplayName: Final[PropertyString]
    TrialName: Final[PropertyString]

class ExplainabilityProperties(Properties):
    """botocore's sagemaker ``Explainability``."""

    Report: Final[MetricsSourceProperties]

class ExplainerConfigProperties(Properties):
    """botocore's sagemaker ``ExplainerConfig``."""

    ClarifyExplainerConfig: Final[ClarifyExplainerConfigProperties]

class FailureDetailsProperties(Properties):
    """botocore's emr ``FailureDetails``."""

    LogFile: Final[PropertyString]
    Message: Final[PropertyString]
    Reason: Final[PropertyString]

class FileSourceProperties(Properties):
    """botocore's sagemaker ``FileSource``."""

    ContentDigest: Final[PropertyString]
    ContentType: Final[PropertyString]
    S3Uri: Final[PropertyString]

class FileSystemDataSourceProperties(Properties):
    """botocore's sagemaker ``FileSystemDataSource``."""

    DirectoryPath: Final[PropertyString]
    FileSystemAccessMode: Final[PropertyString]
    FileSystemId: Final[PropertyString]
    FileSystemType: Final[PropertyString]

class FinalAutoMLJobObjectiveMetricProperties(Properties):
    """botocore's sagemaker ``FinalAutoMLJobObjectiveMetric``."""

    MetricName: Final[PropertyString]
    StandardMetricName: Final[PropertyString]
    Type: Final[PropertyString]
    Value: Final[PropertyFloat]

class FinalHyperParameterTuningJobObjectiveMetricProperties(Properties):
    """botocore's sagemaker ``FinalHyperParameterTuningJobObjectiveMetric``."""

    MetricName: Final[PropertyString]
    Type: Final[PropertyString]
    Value: Final[PropertyFloat]

class HadoopStepConfigProperties(Properties):
    """botocore's emr ``HadoopStepConfig``."""

    Args: Final[PropertyList[PropertyString]]
    Jar: Final[PropertyString]
    MainClass: Final[PropertyString]
    Properties: Final[PropertyMap[PropertyString]]

class HubAccessConfigProperties(Properties):
    """botocore's sagemaker ``HubAccessConfig``."""

    HubContentArn: Final[PropertyString]

class HyperParameterAlgorithmSpecificationProperties(Properties):
    """botocore's sagemaker ``HyperParameterAlgorithmSpecification``."""

    AlgorithmName: Final[PropertyString]
    MetricDefinitions: Final[PropertyKeyedList[MetricDefinitionProperties]]
    TrainingImage: Final[PropertyString]
    TrainingInputMode: Final[PropertyString]

class HyperParameterTrainingJobDefinitionProperties(Properties):
    """botocore's sagemaker ``HyperParameterTrainingJobDefinition``."""

    AlgorithmSpecification: Final[HyperParameterAlgorithmSpecificationProperties]
    CheckpointConfig: Final[CheckpointConfigProperties]
    DefinitionName: Final[PropertyString]
    EnableInterContainerTrafficEncryption: Final[PropertyBoolean]
    EnableManagedSpotTraining: Final[PropertyBoolean]
    EnableNetworkIsolation: Final[PropertyBoolean]
    Environment: Final[PropertyMap[PropertyString]]
    HyperParameterRanges: Final[ParameterRangesProperties]
    HyperParameterTuningResourceConfig: Final[HyperParameterTuningResourceConfigProperties]
    InputDataConfig: Final[PropertyKeyedList[ChannelProperties]]
    OutputDataConfig: Final[OutputDataConfigProperties]
    ResourceConfig: Final[ResourceConfigProperties]
    RetryStrategy: Final[RetryStrategyProperties]
    RoleArn: Final[PropertyString]
    StaticHyperParameters: Final[PropertyMap[PropertyString]]
    StoppingCondition: Final[StoppingConditionProperties]
    TuningObjective: Final[HyperParameterTuningJobObjectiveProperties]
    VpcConfig: Final[VpcConfigProperties]

class HyperParameterTrainingJobSummaryProperties(Properties):
    """botocore's sagemaker ``HyperParameterTrainingJobSummary``."""

    CreationTime: Final[PropertyTimestamp]
    FailureReason: Final[PropertyString]
    FinalHyperParameterTuningJobObjectiveMetric: Final[
        FinalHyperParameterTuningJobObjectiveMetricProperties
    ]
    ObjectiveStatus: Final[PropertyString]
    TrainingEndTime: Final[PropertyTimestamp]
    TrainingJobArn: Final[PropertyString]
    TrainingJobDefinitionName: Final[PropertyString]
    TrainingJobName: Final[PropertyString]
    TrainingJobStatus: Final[PropertyString]
    TrainingStartTime: Final[PropertyTimestamp]
    TunedHyperParameters: Final[PropertyMap[PropertyString]]
    TuningJobName: Final[PropertyString]

class HyperParameterTuningInstanceConfigProperties(Properties):
    """botocore's sagemaker ``HyperParameterTuningInstanceConfig``."""

    InstanceCount: Final[PropertyInteger]
    InstanceType: Final[PropertyString]
    VolumeSizeInGB: Final[PropertyInteger]

class HyperParameterTuningJobCompletionDetailsProperties(Properties):
    """botocore's sagemaker ``HyperParameterTuningJobCompletionDetails``."""

    ConvergenceDetectedTime: Final[PropertyTimestamp]
    NumberOfTrainingJobsObjectiveNotImproving: Final[PropertyInteger]

class HyperParameterTuningJobConfigProperties(Properties):
    """botocore's sagemaker ``HyperParameterTuningJobConfig``."""

    HyperParameterTuningJobObjective: Final[HyperParameterTuningJobObjectiveProperties]
    ParameterRanges: Final[ParameterRangesProperties]
    RandomSeed: Final[PropertyInteger]
    ResourceLimits: Final[ResourceLimitsProperties]
    Strategy: Final[PropertyString]
    StrategyConfig: Final[HyperParameterTuningJobStrategyConfigProperties]
    TrainingJobEarlyStoppingType: Final[PropertyString]
    TuningJobCompletionCriteria: Final[TuningJobCompletionCriteriaProperties]

class HyperParameterTuningJobConsumedResourcesProperties(Properties):
    """botocore's sagemaker ``HyperParameterTuningJobConsumedResources``."""

    RuntimeInSeconds: Final[PropertyInteger]

class HyperParameterTuningJobObjectiveProperties(Properties):
    """botocore's sagemaker ``HyperParameterTuningJobObjective``."""

    MetricName: Final[PropertyString]
    Type: Final[PropertyString]

class HyperParameterTuningJobStrategyConfigProperties(Properties):
    """botocore's sagemaker ``HyperParameterTuningJobStrategyConfig``."""

    HyperbandStrategyConfig: Final[HyperbandStrategyConfigProperties]

class HyperParameterTuningJobWarmStartConfigProperties(Properties):
    """botocore's sagemaker ``HyperParameterTuningJobWarmStartConfig``."""

    ParentHyperParameterTuningJobs: Final[
        PropertyKeyedList[ParentHyperParameterTuningJobProperties]
    ]
    WarmStartType: Final[PropertyString]

class HyperParameterTuningResourceConfigProperties(Properties):
    """botocore's sagemaker ``HyperParameterTuningResourceConfig``."""

    AllocationStrategy: Final[PropertyString]
    InstanceConfigs: Final[PropertyKeyedList[HyperParameterTuningInstanceConfigProperties]]
    InstanceCount: Final[PropertyInteger]
    InstanceType: Final[PropertyString]
    VolumeKmsKeyId: Final[PropertyString]
    VolumeSizeInGB: Final[PropertyInteger]

class HyperbandStrategyConfigProperties(Properties):
    """botocore's sagemaker ``HyperbandStrategyConfig``."""

    MaxResource: Final[PropertyInteger]
    MinResource: Final[PropertyInteger]

class IamIdentityProperties(Properties):
    """botocore's sagemaker ``IamIdentity``."""

    Arn: Final[PropertyString]
    PrincipalId: Final[PropertyString]
    SourceIdentity: Final[PropertyString]

class ImageConfigProperties(Properties):
    """botocore's sagemaker ``ImageConfig``."""

    RepositoryAccessMode: Final[PropertyString]
    RepositoryAuthConfig: Final[RepositoryAuthConfigProperties]

class InferenceComponentAvailabilityZoneBalanceProperties(Properties):
    """botocore's sagemaker ``InferenceComponentAvailabilityZoneBalance``."""

    EnforcementMode: Final[PropertyString]
    MaxImbalance: Final[PropertyInteger]

class InferenceComponentCapacitySizeProperties(Properties):
    """botocore's sagemaker ``InferenceComponentCapacitySize``."""

    Type: Final[PropertyString]
    Value: Final[PropertyInteger]

class InferenceComponentComputeResourceRequirementsProperties(Properties):
    """botocore's sagemaker ``InferenceComponentComputeResourceRequirements``."""

    AcceleratorPartitionType: Final[PropertyString]
    MaxMemoryRequiredInMb: Final[PropertyInteger]
    MinMemoryRequiredInMb: Final[PropertyInteger]
    NumberOfAcceleratorDevicesRequired: Final[PropertyFloat]
    NumberOfCpuCoresRequired: Final[PropertyFloat]

class InferenceComponentContainerSpecificationSummaryProperties(Properties):
    """botocore's sagemaker ``InferenceComponentContainerSpecificationSummary``."""

    ArtifactUrl: Final[PropertyString]
    ContainerMetricsConfig: Final[ContainerMetricsConfigProperties]
    DeployedImage: Final[DeployedImageProperties]
    Environment: Final[PropertyMap[PropertyString]]

class InferenceComponentDataCacheConfigSummaryProperties(Properties):
    """botocore's sagemaker ``InferenceComponentDataCacheConfigSummary``."""

    EnableCaching: Final[PropertyBoolean]

class InferenceComponentDeploymentConfigProperties(Properties):
    """botocore's sagemaker ``InferenceComponentDeploymentConfig``."""

    AutoRollbackConfiguration: Final[AutoRollbackConfigProperties]
    RollingUpdatePolicy: Final[InferenceComponentRollingUpdatePolicyProperties]

class InferenceComponentPlacementStatusProperties(Properties):
    """botocore's sagemaker ``InferenceComponentPlacementStatus``."""

    CurrentCopyCount: Final[PropertyInteger]
    InstanceType: Final[PropertyString]

class InferenceComponentRollingUpdatePolicyProperties(Properties):
    """botocore's sagemaker ``InferenceComponentRollingUpdatePolicy``."""

    MaximumBatchSize: Final[InferenceComponentCapacitySizeProperties]
    MaximumExecutionTimeoutInSeconds: Final[PropertyInteger]
    RollbackMaximumBatchSize: Final[InferenceComponentCapacitySizeProperties]
    WaitIntervalInSeconds: Final[PropertyInteger]

class InferenceComponentRuntimeConfigSummaryProperties(Properties):
    """botocore's sagemaker ``InferenceComponentRuntimeConfigSummary``."""

    CurrentCopyCount: Final[PropertyInteger]
    DesiredCopyCount: Final[PropertyInteger]
    PlacementStatus: Final[PropertyKeyedList[InferenceComponentPlacementStatusProperties]]

class InferenceComponentSchedulingConfigProperties(Properties):
    """botocore's sagemaker ``InferenceComponentSchedulingConfig``."""

    AvailabilityZoneBalance: Final[InferenceComponentAvailabilityZoneBalanceProperties]
    PlacementStrategy: Final[PropertyString]

class InferenceComponentSpecificationSummaryProperties(Properties):
    """botocore's sagemaker ``InferenceComponentSpecificationSummary``."""

    BaseInferenceComponentName: Final[PropertyString]
    ComputeResourceRequirements: Final[InferenceComponentComputeResourceRequirementsProperties]
    Container: Final[InferenceComponentContainerSpecificationSummaryProperties]
    DataCacheConfig: Final[InferenceComponentDataCacheConfigSummaryProperties]
    InstanceType: Final[PropertyString]
    ModelName: Final[PropertyString]
    SchedulingConfig: Final[InferenceComponentSchedulingConfigProperties]
    StartupParameters: Final[InferenceComponentStartupParametersProperties]

class InferenceComponentStartupParametersProperties(Properties):
    """botocore's sagemaker ``InferenceComponentStartupParameters``."""

    ContainerStartupHealthCheckTimeoutInSeconds: Final[PropertyInteger]
    ModelDataDownloadTimeoutInSeconds: Final[PropertyInteger]

class InferenceComponentStepProperties(Properties):
    """``InferenceComponentStep.properties``.

    The members of botocore's sagemaker ``DescribeInferenceComponentOutput``.
    """

    CreationTime: Final[PropertyTimestamp]
    EndpointArn: Final[PropertyString]
    EndpointName: Final[PropertyString]
    FailureReason: Final[PropertyString]
    InferenceComponentArn: Final[PropertyString]
    InferenceComponentName: Final[PropertyString]
    InferenceComponentStatus: Final[PropertyString]
    LastDeploymentConfig: Final[InferenceComponentDeploymentConfigProperties]
    LastModifiedTime: Final[PropertyTimestamp]
    RuntimeConfig: Final[InferenceComponentRuntimeConfigSummaryProperties]
    Specification: Final[InferenceComponentSpecificationSummaryProperties]
    Specifications: Final[PropertyKeyedList[InferenceComponentSpecificationSummaryProperties]]
    VariantName: Final[PropertyString]

class InferenceExecutionConfigProperties(Properties):
    """botocore's sagemaker ``InferenceExecutionConfig``."""

    Mode: Final[PropertyString]

class InferenceHubAccessConfigProperties(Properties):
    """botocore's sagemaker ``InferenceHubAccessConfig``."""

    HubContentArn: Final[PropertyString]

class InferenceSpecificationProperties(Properties):
    """botocore's sagemaker ``InferenceSpecification``."""

    Containers: Final[PropertyKeyedList[ModelPackageContainerDefinitionProperties]]
    SupportedContentTypes: Final[PropertyList[PropertyString]]
    SupportedRealtimeInferenceInstanceTypes: Final[PropertyList[PropertyString]]
    SupportedResponseMIMETypes: Final[PropertyList[PropertyString]]
    SupportedTransformInstanceTypes: Final[PropertyList[PropertyString]]

class InfraCheckConfigProperties(Properties):
    """botocore's sagemaker ``InfraCheckConfig``."""

    EnableInfraCheck: Final[PropertyBoolean]

class InstanceGroupProperties(Properties):
    """botocore's sagemaker ``InstanceGroup``."""

    InstanceCount: Final[PropertyInteger]
    InstanceGroupName: Final[PropertyString]
    InstanceType: Final[PropertyString]

class InstancePlacementConfigProperties(Properties):
    """botocore's sagemaker ``InstancePlacementConfig``."""

    EnableMultipleJobs: Final[PropertyBoolean]
    PlacementSpecifications: Final[PropertyKeyedList[PlacementSpecificationProperties]]

class InstancePoolProperties(Properties):
    """botocore's sagemaker ``InstancePool``."""

    InstanceType: Final[PropertyString]
    ModelNameOverride: Final[PropertyString]
    Priority: Final[PropertyInteger]

class InstancePoolSummaryProperties(Properties):
    """botocore's sagemaker ``InstancePoolSummary``."""

    CurrentInstanceCount: Final[PropertyInteger]
    InstanceType: Final[PropertyString]

class InstancePreferenceProperties(Properties):
    """botocore's sagemaker ``InstancePreference``."""

    InstanceCount: Final[PropertyInteger]
    InstanceType: Final[PropertyString]
    TrainingPlanArns: Final[PropertyList[PropertyString]]

class IntegerParameterRangeProperties(Properties):
    """botocore's sagemaker ``IntegerParameterRange``."""

    MaxValue: Final[PropertyString]
    MinValue: Final[PropertyString]
    Name: Final[PropertyString]
    ScalingType: Final[PropertyString]

class LambdaStepProperties(Properties):
    """``LambdaStep.properties``.

    Members the step type defines: it describes no job.
    """

    OutputParameters: Final[PropertyMap[Properties]]
    Outputs: Final[PropertyMap[Properties]]

class LineageStepProperties(Properties):
    """``LineageStep.properties``.

    The members of botocore's sagemaker ``LineageMetadata``.
    """

    ActionArns: Final[PropertyMap[PropertyString]]
    ArtifactArns: Final[PropertyMap[PropertyString]]
    Associations: Final[PropertyKeyedList[AssociationInfoProperties]]
    ContextArns: Final[PropertyMap[PropertyString]]

class MetadataPropertiesProperties(Properties):
    """botocore's sagemaker ``MetadataProperties``."""

    CommitId: Final[PropertyString]
    GeneratedBy: Final[PropertyString]
    ProjectId: Final[PropertyString]
    Repository: Final[PropertyString]

class MetricDataProperties(Properties):
    """botocore's sagemaker ``MetricData``."""

    MetricName: Final[PropertyString]
    Timestamp: Final[PropertyTimestamp]
    Value: Final[PropertyFloat]

class MetricDatumProperties(Properties):
    """botocore's sagemaker ``MetricDatum``."""

    MetricName: Final[PropertyString]
    Set: Final[PropertyString]
    StandardMetricName: Final[PropertyString]
    Value: Final[PropertyFloat]

class MetricDefinitionProperties(Properties):
    """botocore's sagemaker ``MetricDefinition``."""

    Name: Final[PropertyString]
    Regex: Final[PropertyString]

class MetricsConfigProperties(Properties):
    """botocore's sagemaker ``MetricsConfig``."""

    EnableDetailedObservability: Final[PropertyBoolean]
    EnableEnhancedMetrics: Final[PropertyBoolean]
    MetricPublishFrequencyInSeconds: Final[PropertyInteger]

class MetricsEndpointProperties(Properties):
    """botocore's sagemaker ``MetricsEndpoint``."""

    MetricPublishFrequencyInSeconds: Final[PropertyInteger]
    MetricsEndpointPath: Final[PropertyString]

class MetricsSourceProperties(Properties):
    """botocore's sagemaker ``MetricsSource``."""

    ContentDigest: Final[PropertyString]
    ContentType: Final[PropertyString]
    S3Uri: Final[PropertyString]

class MlflowConfigProperties(Properties):
    """botocore's sagemaker ``MlflowConfig``."""

    MlflowExperimentName: Final[PropertyString]
    MlflowResourceArn: Final[PropertyString]
    MlflowRunName: Final[PropertyString]

class MlflowDetailsProperties(Properties):
    """botocore's sagemaker ``MlflowDetails``."""

    MlflowExperimentId: Final[PropertyString]
    MlflowRunId: Final[PropertyString]

class ModelAccessConfigProperties(Properties):
    """botocore's sagemaker ``ModelAccessConfig``."""

    AcceptEula: Final[PropertyBoolean]

class ModelArtifactsProperties(Properties):
    """botocore's sagemaker ``ModelArtifacts``."""

    S3ModelArtifacts: Final[PropertyString]

class ModelClientConfigProperties(Properties):
    """botocore's sagemaker ``ModelClientConfig``."""

    InvocationsMaxRetries: Final[PropertyInteger]
    InvocationsTimeoutInSeconds: Final[PropertyInteger]

class ModelDataQualityProperties(Properties):
    """botocore's sagemaker ``ModelDataQuality``."""

    Constraints: Final[MetricsSourceProperties]
    Statistics: Final[MetricsSourceProperties]

class ModelDataSourceProperties(Properties):
    """botocore's sagemaker ``ModelDataSource``."""

    S3DataSource: Final[S3ModelDataSourceProperties]

class ModelDeployConfigProperties(Properties):
    """botocore's sagemaker ``ModelDeployConfig``."""

    AutoGenerateEndpointName: Final[PropertyBoolean]
    EndpointName: Final[PropertyString]

class ModelDeployResultProperties(Properties):
    """botocore's sagemaker ``ModelDeployResult``."""

    EndpointName: Final[PropertyString]

class ModelInputProperties(Properties):
    """botocore's sagemaker ``ModelInput``."""

    DataInputConfig: Final[PropertyString]

class ModelLifeCycleProperties(Properties):
    """botocore's sagemaker ``ModelLifeCycle``."""

    Stage: Final[PropertyString]
    StageDescription: Final[PropertyString]
    StageStatus: Final[PropertyString]

class ModelMetricsProperties(Properties):
    """botocore's sagemaker ``ModelMetrics``."""

    Bias: Final[BiasProperties]
    Explainability: Final[ExplainabilityProperties]
    ModelDataQuality: Final[ModelDataQualityProperties]
    ModelQuality: Final[ModelQualityProperties]

class ModelPackageConfigProperties(Properties):
    """botocore's sagemaker ``ModelPackageConfig``."""

    ModelPackageGroupArn: Final[PropertyString]
    SourceModelPackageArn: Final[PropertyString]

class ModelPackageContainerDefinitionProperties(Properties):
    """botocore's sagemaker ``ModelPackageContainerDefinition``."""

    AdditionalModelDataSources: Final[PropertyKeyedList[AdditionalModelDataSourceProperties]]
    AdditionalS3DataSource: Final[AdditionalS3DataSourceProperties]
    BaseModel: Final[BaseModelProperties]
    ContainerHostname: Final[PropertyString]
    Environment: Final[PropertyMap[PropertyString]]
    Framework: Final[PropertyString]
    FrameworkVersion: Final[PropertyString]
    Image: Final[PropertyString]
    ImageDigest: Final[PropertyString]
    IsCheckpoint: Final[PropertyBoolean]
    ModelDataETag: Final[PropertyString]
    ModelDataSource: Final[ModelDataSourceProperties]
    ModelDataUrl: Final[PropertyString]
    ModelInput: Final[ModelInputProperties]
    NearestModelName: Final[PropertyString]
    ProductId: Final[PropertyString]

class ModelPackageModelCardProperties(Properties):
    """botocore's sagemaker ``ModelPackageModelCard``."""

    ModelCardContent: Final[PropertyString]
    ModelCardStatus: Final[PropertyString]

class ModelPackageSecurityConfigProperties(Properties):
    """botocore's sagemaker ``ModelPackageSecurityConfig``."""

    KmsKeyId: Final[PropertyString]

class ModelPackageStatusDetailsProperties(Properties):
    """botocore's sagemaker ``ModelPackageStatusDetails``."""

    ImageScanStatuses: Final[PropertyKeyedList[ModelPackageStatusItemProperties]]
    ValidationStatuses: Final[PropertyKeyedList[ModelPackageStatusItemProperties]]

class ModelPackageStatusItemProperties(Properties):
    """botocore's sagemaker ``ModelPackageStatusItem``."""

    FailureReason: Final[PropertyString]
    Name: Final[PropertyString]
    Status: Final[PropertyString]

class ModelPackageValidationProfileProperties(Properties):
    """botocore's sagemaker ``ModelPackageValidationProfile``."""

    ProfileName: Final[PropertyString]
    TransformJobDefinition: Final[TransformJobDefinitionProperties]

class ModelPackageValidationSpecificationProperties(Properties):
    """botocore's sagemaker ``ModelPackageValidationSpecification``."""

    ValidationProfiles: Final[PropertyKeyedList[ModelPackageValidationProfileProperties]]
    ValidationRole: Final[PropertyString]

class ModelQualityProperties(Properties):
    """botocore's sagemaker ``ModelQuality``."""

    Constraints: Final[MetricsSourceProperties]
    Statistics: Final[MetricsSourceProperties]

class ModelStepProperties(Properties):
    """``ModelStep.properties``.

    The members of botocore's sagemaker ``DescribeModelOutput``.
    """

    Containers: Final[PropertyKeyedList[ContainerDefinitionProperties]]
    CreationTime: Final[PropertyTimestamp]
    DeploymentRecommendation: Final[DeploymentRecommendationProperties]
    EnableNetworkIsolation: Final[PropertyBoolean]
    ExecutionRoleArn: Final[PropertyString]
    InferenceExecutionConfig: Final[InferenceExecutionConfigProperties]
    ModelArn: Final[PropertyString]
    ModelName: Final[PropertyString]
    PrimaryContainer: Final[ContainerDefinitionProperties]
    VpcConfig: Final[VpcConfigProperties]

class MultiModelConfigProperties(Properties):
    """botocore's sagemaker ``MultiModelConfig``."""

    ModelCacheSetting: Final[PropertyString]

class NetworkConfigProperties(Properties):
    """botocore's sagemaker ``NetworkConfig``."""

    EnableInterContainerTrafficEncryption: Final[PropertyBoolean]
    EnableNetworkIsolation: Final[PropertyBoolean]
    VpcConfig: Final[VpcConfigProperties]

class ObjectiveStatusCountersProperties(Properties):
    """botocore's sagemaker ``ObjectiveStatusCounters``."""

    Failed: Final[PropertyInteger]
    Pending: Final[PropertyInteger]
    Succeeded: Final[PropertyInteger]

class OutputDataConfigProperties(Properties):
    """botocore's sagemaker ``OutputDataConfig``."""

    CompressionType: Final[PropertyString]
    KmsKeyId: Final[PropertyString]
    S3OutputPath: Final[PropertyString]

class ParameterRangesProperties(Properties):
    """botocore's sagemaker ``ParameterRanges``."""

    AutoParameters: Final[PropertyKeyedList[AutoParameterProperties]]
    CategoricalParameterRanges: Final[PropertyKeyedList[CategoricalParameterRangeProperties]]
    ContinuousParameterRanges: Final[PropertyKeyedList[ContinuousParameterRangeProperties]]
    IntegerParameterRanges: Final[PropertyKeyedList[IntegerParameterRangeProperties]]

class ParentHyperParameterTuningJobProperties(Properties):
    """botocore's sagemaker ``ParentHyperParameterTuningJob``."""

    HyperParameterTuningJobName: Final[PropertyString]

class PendingDeploymentSummaryProperties(Properties):
    """botocore's sagemaker ``PendingDeploymentSummary``."""

    EndpointConfigName: Final[PropertyString]
    ProductionVariants: Final[PropertyKeyedList[PendingProductionVariantSummaryProperties]]
    ShadowProductionVariants: Final[PropertyKeyedList[PendingProductionVariantSummaryProperties]]
    StartTime: Final[PropertyTimestamp]

class PendingProductionVariantSummaryProperties(Properties):
    """botocore's sagemaker ``PendingProductionVariantSummary``."""

    AcceleratorPartitionLayouts: Final[PropertyKeyedList[AcceleratorPartitionLayoutProperties]]
    AcceleratorType: Final[PropertyString]
    CurrentInstanceCount: Final[PropertyInteger]
    CurrentServerlessConfig: Final[ProductionVariantServerlessConfigProperties]
    CurrentWeight: Final[PropertyFloat]
    DeployedImages: Final[PropertyKeyedList[DeployedImageProperties]]
    DesiredInstanceCount: Final[PropertyInteger]
    DesiredServerlessConfig: Final[ProductionVariantServerlessConfigProperties]
    DesiredWeight: Final[PropertyFloat]
    InstancePools: Final[PropertyKeyedList[InstancePoolSummaryProperties]]
    InstanceType: Final[PropertyString]
    ManagedInstanceScaling: Final[ProductionVariantManagedInstanceScalingProperties]
    RoutingConfig: Final[ProductionVariantRoutingConfigProperties]
    VariantName: Final[PropertyString]
    VariantStatus: Final[PropertyKeyedList[ProductionVariantStatusProperties]]

class PlacementSpecificationProperties(Properties):
    """botocore's sagemaker ``PlacementSpecification``."""

    InstanceCount: Final[PropertyInteger]
    UltraServerId: Final[PropertyString]

class PrefixAwareRoutingConfigProperties(Properties):
    """botocore's sagemaker ``PrefixAwareRoutingConfig``."""

    ConcurrencyThreshold: Final[PropertyInteger]
    PrefixLength: Final[PropertyInteger]

class ProcessingClusterConfigProperties(Properties):
    """botocore's sagemaker ``ProcessingClusterConfig``."""

    InstanceCount: Final[PropertyInteger]
    InstancePreferences: Final[PropertyKeyedList[ProcessingInstancePreferenceProperties]]
    InstanceType: Final[PropertyString]
    SelectedInstanceCount: Final[PropertyInteger]
    SelectedInstanceType: Final[PropertyString]
    VolumeKmsKeyId: Final[PropertyString]
    VolumeSizeInGB: Final[PropertyInteger]

class ProcessingFeatureStoreOutputProperties(Properties):
    """botocore's sagemaker ``ProcessingFeatureStoreOutput``."""

    FeatureGroupName: Final[PropertyString]

class ProcessingInputProperties(Properties):
    """botocore's sagemaker ``ProcessingInput``."""

    AppManaged: Final[PropertyBoolean]
    DatasetDefinition: Final[DatasetDefinitionProperties]
    InputName: Final[PropertyString]
    S3Input: Final[ProcessingS3InputProperties]

class ProcessingInstancePreferenceProperties(Properties):
    """botocore's sagemaker ``ProcessingInstancePreference``."""

    InstanceCount: Final[PropertyInteger]
    InstanceType: Final[PropertyString]

class ProcessingOutputConfigProperties(Properties):
    """botocore's sagemaker ``ProcessingOutputConfig``."""

    KmsKeyId: Final[PropertyString]
    Outputs: Final[PropertyKeyedList[ProcessingOutputProperties]]

class ProcessingOutputProperties(Properties):
    """botocore's sagemaker ``ProcessingOutput``."""

    AppManaged: Final[PropertyBoolean]
    FeatureStoreOutput: Final[ProcessingFeatureStoreOutputProperties]
    OutputName: Final[PropertyString]
    S3Output: Final[ProcessingS3OutputProperties]

class ProcessingResourcesProperties(Properties):
    """botocore's sagemaker ``ProcessingResources``."""

    ClusterConfig: Final[ProcessingClusterConfigProperties]

class ProcessingS3InputProperties(Properties):
    """botocore's sagemaker ``ProcessingS3Input``."""

    LocalPath: Final[PropertyString]
    S3CompressionType: Final[PropertyString]
    S3DataDistributionType: Final[PropertyString]
    S3DataType: Final[PropertyString]
    S3InputMode: Final[PropertyString]
    S3Uri: Final[PropertyString]

class ProcessingS3OutputProperties(Properties):
    """botocore's sagemaker ``ProcessingS3Output``."""

    LocalPath: Final[PropertyString]
    S3UploadMode: Final[PropertyString]
    S3Uri: Final[PropertyString]

class ProcessingStepProperties(Properties):
    """``ProcessingStep.properties``.

    The members of botocore's sagemaker ``DescribeProcessingJobResponse``.
    """

    AppSpecification: Final[AppSpecificationProperties]
    AutoMLJobArn: Final[PropertyString]
    CreationTime: Final[PropertyTimestamp]
    Environment: Final[PropertyMap[PropertyString]]
    ExitMessage: Final[PropertyString]
    ExperimentConfig: Final[ExperimentConfigProperties]
    FailureReason: Final[PropertyString]
    LastModifiedTime: Final[PropertyTimestamp]
    MonitoringScheduleArn: Final[PropertyString]
    NetworkConfig: Final[NetworkConfigProperties]
    ProcessingEndTime: Final[PropertyTimestamp]
    ProcessingInputs: Final[PropertyKeyedList[ProcessingInputProperties]]
    ProcessingJobArn: Final[PropertyString]
    ProcessingJobName: Final[PropertyString]
    ProcessingJobStatus: Final[PropertyString]
    ProcessingOutputConfig: Final[ProcessingOutputConfigProperties]
    ProcessingResources: Final[ProcessingResourcesProperties]
    ProcessingStartTime: Final[PropertyTimestamp]
    RoleArn: Final[PropertyString]
    StoppingCondition: Final[ProcessingStoppingConditionProperties]
    TrainingJobArn: Final[PropertyString]

class ProcessingStoppingConditionProperties(Properties):
    """botocore's sagemaker ``ProcessingStoppingCondition``."""

    MaxRuntimeInSeconds: Final[PropertyInteger]

class ProductionVariantCapacityReservationConfigProperties(Properties):
    """botocore's sagemaker ``ProductionVariantCapacityReservationConfig``."""

    CapacityReservationPreference: Final[PropertyString]
    MlReservationArn: Final[PropertyString]

class ProductionVariantCapacityReservationSummaryProperties(Properties):
    """botocore's sagemaker ``ProductionVariantCapacityReservationSummary``."""

    AvailableInstanceCount: Final[PropertyInteger]
    CapacityReservationPreference: Final[PropertyString]
    Ec2CapacityReservations: Final[PropertyKeyedList[Ec2CapacityReservationProperties]]
    MlReservationArn: Final[PropertyString]
    TotalInstanceCount: Final[PropertyInteger]
    UsedByCurrentEndpoint: Final[PropertyInteger]

class ProductionVariantCoreDumpConfigProperties(Properties):
    """botocore's sagemaker ``ProductionVariantCoreDumpConfig``."""

    DestinationS3Uri: Final[PropertyString]
    KmsKeyId: Final[PropertyString]

class ProductionVariantManagedInstanceScalingProperties(Properties):
    """botocore's sagemaker ``ProductionVariantManagedInstanceScaling``."""

    MaxInstanceCount: Final[PropertyInteger]
    MinInstanceCount: Final[PropertyInteger]
    ScaleInPolicy: Final[ProductionVariantManagedInstanceScalingScaleInPolicyProperties]
    Status: Final[PropertyString]

class ProductionVariantManagedInstanceScalingScaleInPolicyProperties(Properties):
    """botocore's sagemaker ``ProductionVariantManagedInstanceScalingScaleInPolicy``."""

    CooldownInMinutes: Final[PropertyInteger]
    MaximumStepSize: Final[PropertyInteger]
    Strategy: Final[PropertyString]

class ProductionVariantProperties(Properties):
    """botocore's sagemaker ``ProductionVariant``."""

    AcceleratorPartitionLayouts: Final[PropertyKeyedList[AcceleratorPartitionLayoutProperties]]
    AcceleratorType: Final[PropertyString]
    CapacityReservationConfig: Final[ProductionVariantCapacityReservationConfigProperties]
    ContainerStartupHealthCheckTimeoutInSeconds: Final[PropertyInteger]
    CoreDumpConfig: Final[ProductionVariantCoreDumpConfigProperties]
    EnableSSMAccess: Final[PropertyBoolean]
    InferenceAmiVersion: Final[PropertyString]
    InitialInstanceCount: Final[PropertyInteger]
    InitialVariantWeight: Final[PropertyFloat]
    InstancePools: Final[PropertyKeyedList[InstancePoolProperties]]
    InstanceType: Final[PropertyString]
    ManagedInstanceScaling: Final[ProductionVariantManagedInstanceScalingProperties]
    ModelDataDownloadTimeoutInSeconds: Final[PropertyInteger]
    ModelName: Final[PropertyString]
    RoutingConfig: Final[ProductionVariantRoutingConfigProperties]
    ServerlessConfig: Final[ProductionVariantServerlessConfigProperties]
    VariantInstanceProvisionTimeoutInSeconds: Final[PropertyInteger]
    VariantName: Final[PropertyString]
    VolumeSizeInGB: Final[PropertyInteger]

class ProductionVariantRoutingConfigProperties(Properties):
    """botocore's sagemaker ``ProductionVariantRoutingConfig``."""

    PrefixAwareRoutingConfig: Final[PrefixAwareRoutingConfigProperties]
    RoutingStrategy: Final[PropertyString]

class ProductionVariantServerlessConfigProperties(Properties):
    """botocore's sagemaker ``ProductionVariantServerlessConfig``."""

    MaxConcurrency: Final[PropertyInteger]
    MemorySizeInMB: Final[PropertyInteger]
    ProvisionedConcurrency: Final[PropertyInteger]

class ProductionVariantStatusProperties(Properties):
    """botocore's sagemaker ``ProductionVariantStatus``."""

    StartTime: Final[PropertyTimestamp]
    Status: Final[PropertyString]
    StatusMessage: Final[PropertyString]

class ProductionVariantSummaryProperties(Properties):
    """botocore's sagemaker ``ProductionVariantSummary``."""

    AcceleratorPartitionLayouts: Final[PropertyKeyedList[AcceleratorPartitionLayoutProperties]]
    CapacityReservationConfig: Final[ProductionVariantCapacityReservationSummaryProperties]
    CurrentInstanceCount: Final[PropertyInteger]
    CurrentServerlessConfig: Final[ProductionVariantServerlessConfigProperties]
    CurrentWeight: Final[PropertyFloat]
    DeployedImages: Final[PropertyKeyedList[DeployedImageProperties]]
    DesiredInstanceCount: Final[PropertyInteger]
    DesiredServerlessConfig: Final[ProductionVariantServerlessConfigProperties]
    DesiredWeight: Final[PropertyFloat]
    InstancePools: Final[PropertyKeyedList[InstancePoolSummaryProperties]]
    ManagedInstanceScaling: Final[ProductionVariantManagedInstanceScalingProperties]
    RoutingConfig: Final[ProductionVariantRoutingConfigProperties]
    VariantName: Final[PropertyString]
    VariantStatus: Final[PropertyKeyedList[ProductionVariantStatusProperties]]

class ProfilerConfigProperties(Properties):
    """botocore's sagemaker ``ProfilerConfig``."""

    DisableProfiler: Final[PropertyBoolean]
    ProfilingIntervalInMilliseconds: Final[PropertyInteger]
    ProfilingParameters: Final[PropertyMap[PropertyString]]
    S3OutputPath: Final[PropertyString]

class ProfilerRuleConfigurationProperties(Properties):
    """botocore's sagemaker ``ProfilerRuleConfiguration``."""

    InstanceType: Final[PropertyString]
    LocalPath: Final[PropertyString]
    RuleConfigurationName: Final[PropertyString]
    RuleEvaluatorImage: Final[PropertyString]
    RuleParameters: Final[PropertyMap[PropertyString]]
    S3OutputPath: Final[PropertyString]
    VolumeSizeInGB: Final[PropertyInteger]

class ProfilerRuleEvaluationStatusProperties(Properties):
    """botocore's sagemaker ``ProfilerRuleEvaluationStatus``."""

    LastModifiedTime: Final[PropertyTimestamp]
    RuleConfigurationName: Final[PropertyString]
    RuleEvaluationJobArn: Final[PropertyString]
    RuleEvaluationStatus: Final[PropertyString]
    StatusDetails: Final[PropertyString]

class QualityCheckStepProperties(Properties):
    """``QualityCheckStep.properties``.

    Members the step type defines: it describes no job.
    """

    BaselineUsedForDriftCheckConstraints: Final[PropertyString]
    BaselineUsedForDriftCheckStatistics: Final[PropertyString]
    CalculatedBaselineConstraints: Final[PropertyString]
    CalculatedBaselineStatistics: Final[PropertyString]

class RealTimeInferenceRecommendationProperties(Properties):
    """botocore's sagemaker ``RealTimeInferenceRecommendation``."""

    Environment: Final[PropertyMap[PropertyString]]
    InstanceType: Final[PropertyString]
    RecommendationId: Final[PropertyString]

class RedshiftDatasetDefinitionProperties(Properties):
    """botocore's sagemaker ``RedshiftDatasetDefinition``."""

    ClusterId: Final[PropertyString]
    ClusterRoleArn: Final[PropertyString]
    Database: Final[PropertyString]
    DbUser: Final[PropertyString]
    KmsKeyId: Final[PropertyString]
    OutputCompression: Final[PropertyString]
    OutputFormat: Final[PropertyString]
    OutputS3Uri: Final[PropertyString]
    QueryString: Final[PropertyString]

class RegisterModelProperties(Properties):
    """``RegisterModel.properties``.

    The members of botocore's sagemaker ``DescribeModelPackageOutput``.
    """

    AdditionalInferenceSpecifications: Final[
        PropertyKeyedList[AdditionalInferenceSpecificationDefinitionProperties]
    ]
    ApprovalDescription: Final[PropertyString]
    CertifyForMarketplace: Final[PropertyBoolean]
    CreatedBy: Final[UserContextProperties]
    CreationTime: Final[PropertyTimestamp]
    CustomerMetadataProperties: Final[PropertyMap[PropertyString]]
    Domain: Final[PropertyString]
    DriftCheckBaselines: Final[DriftCheckBaselinesProperties]
    InferenceSpecification: Final[InferenceSpecificationProperties]
    LastModifiedBy: Final[UserContextProperties]
    LastModifiedTime: Final[PropertyTimestamp]
    ManagedStorageType: Final[PropertyString]
    MetadataProperties: Final[MetadataPropertiesProperties]
    ModelApprovalStatus: Final[PropertyString]
    ModelCard: Final[ModelPackageModelCardProperties]
    ModelLifeCycle: Final[ModelLifeCycleProperties]
    ModelMetrics: Final[ModelMetricsProperties]
    ModelPackageArn: Final[PropertyString]
    ModelPackageDescription: Final[PropertyString]
    ModelPackageGroupName: Final[PropertyString]
    ModelPackageName: Final[PropertyString]
    ModelPackageRegistrationType: Final[PropertyString]
    ModelPackageStatus: Final[PropertyString]
    ModelPackageStatusDetails: Final[ModelPackageStatusDetailsProperties]
    ModelPackageVersion: Final[PropertyInteger]
    SamplePayloadUrl: Final[PropertyString]
    SecurityConfig: Final[ModelPackageSecurityConfigProperties]
    SkipModelValidation: Final[PropertyString]
    SourceAlgorithmSpecification: Final[SourceAlgorithmSpecificationProperties]
    SourceUri: Final[PropertyString]
    Task: Final[PropertyString]
    ValidationSpecification: Final[ModelPackageValidationSpecificationProperties]

class RemoteDebugConfigProperties(Properties):
    """botocore's sagemaker ``RemoteDebugConfig``."""

    EnableRemoteDebug: Final[PropertyBoolean]

class RepositoryAuthConfigProperties(Properties):
    """botocore's sagemaker ``RepositoryAuthConfig``."""

    RepositoryCredentialsProviderArn: Final[PropertyString]

class ResolvedAttributesProperties(Properties):
    """botocore's sagemaker ``ResolvedAttributes``."""

    AutoMLJobObjective: Final[AutoMLJobObjectiveProperties]
    CompletionCriteria: Final[AutoMLJobCompletionCriteriaProperties]
    ProblemType: Final[PropertyString]

class ResourceConfigProperties(Properties):
    """botocore's sagemaker ``ResourceConfig``."""

    InstanceCount: Final[PropertyInteger]
    InstanceGroups: Final[PropertyKeyedList[InstanceGroupProperties]]
    InstancePlacementConfig: Final[InstancePlacementConfigProperties]
    InstancePreferences: Final[PropertyKeyedList[InstancePreferenceProperties]]
    InstanceType: Final[PropertyString]
    KeepAlivePeriodInSeconds: Final[PropertyInteger]
    SelectedInstanceCount: Final[PropertyInteger]
    SelectedInstanceType: Final[PropertyString]
    TrainingPlanArn: Final[PropertyString]
    VolumeKmsKeyId: Final[PropertyString]
    VolumeSizeInGB: Final[PropertyInteger]

class ResourceLimitsProperties(Properties):
    """botocore's sagemaker ``ResourceLimits``."""

    MaxNumberOfTrainingJobs: Final[PropertyInteger]
    MaxParallelTrainingJobs: Final[PropertyInteger]
    MaxRuntimeInSeconds: Final[PropertyInteger]

class RetryStrategyProperties(Properties):
    """botocore's sagemaker ``RetryStrategy``."""

    MaximumRetryAttempts: Final[PropertyInteger]

class RollingUpdatePolicyProperties(Properties):
    """botocore's sagemaker ``RollingUpdatePolicy``."""

    MaximumBatchSize: Final[CapacitySizeProperties]
    MaximumExecutionTimeoutInSeconds: Final[PropertyInteger]
    RollbackMaximumBatchSize: Final[CapacitySizeProperties]
    WaitIntervalInSeconds: Final[PropertyInteger]

class S3DataSourceProperties(Properties):
    """botocore's sagemaker ``S3DataSource``."""

    AttributeNames: Final[PropertyList[PropertyString]]
    HubAccessConfig: Final[HubAccessConfigProperties]
    InstanceGroupNames: Final[PropertyList[PropertyString]]
    ModelAccessConfig: Final[ModelAccessConfigProperties]
    S3DataDistributionType: Final[PropertyString]
    S3DataType: Final[PropertyString]
    S3Uri: Final[PropertyString]

class S3ModelDataSourceProperties(Properties):
    """botocore's sagemaker ``S3ModelDataSource``."""

    CompressionType: Final[PropertyString]
    ETag: Final[PropertyString]
    HubAccessConfig: Final[InferenceHubAccessConfigProperties]
    ManifestEtag: Final[PropertyString]
    ManifestS3Uri: Final[PropertyString]
    ModelAccessConfig: Final[ModelAccessConfigProperties]
    S3DataType: Final[PropertyString]
    S3Uri: Final[PropertyString]

class SealStepProperties(Properties):
    """``SealStep.properties``.

    Members the step type defines: it describes no job.
    """

    OutputParameters: Final[PropertyMap[Properties]]
    Outputs: Final[PropertyMap[Properties]]

class SecondaryStatusTransitionProperties(Properties):
    """botocore's sagemaker ``SecondaryStatusTransition``."""

    EndTime: Final[PropertyTimestamp]
    StartTime: Final[PropertyTimestamp]
    Status: Final[PropertyString]
    StatusMessage: Final[PropertyString]

class ServerlessJobConfigProperties(Properties):
    """botocore's sagemaker ``ServerlessJobConfig``."""

    AcceptEula: Final[PropertyBoolean]
    BaseModelArn: Final[PropertyString]
    CustomizationTechnique: Final[PropertyString]
    EvaluationType: Final[PropertyString]
    EvaluatorArn: Final[PropertyString]
    JobType: Final[PropertyString]
    Peft: Final[PropertyString]
    SequenceLength: Final[PropertyString]

class ShuffleConfigProperties(Properties):
    """botocore's sagemaker ``ShuffleConfig``."""

    Seed: Final[PropertyInteger]

class SourceAlgorithmProperties(Properties):
    """botocore's sagemaker ``SourceAlgorithm``."""

    AlgorithmName: Final[PropertyString]
    ModelDataETag: Final[PropertyString]
    ModelDataSource: Final[ModelDataSourceProperties]
    ModelDataUrl: Final[PropertyString]

class SourceAlgorithmSpecificationProperties(Properties):
    """botocore's sagemaker ``SourceAlgorithmSpecification``."""

    SourceAlgorithms: Final[PropertyKeyedList[SourceAlgorithmProperties]]

class StepAdditionalInfoProperties(Properties):
    """botocore's emr ``StepAdditionalInfo``."""

    ResourceManager: Final[PropertyString]
    ResourceManagerApplicationIds: Final[PropertyList[PropertyString]]

class StepStateChangeReasonProperties(Properties):
    """botocore's emr ``StepStateChangeReason``."""

    Code: Final[PropertyString]
    Message: Final[PropertyString]

class StepStatusProperties(Properties):
    """botocore's emr ``StepStatus``."""

    FailureDetails: Final[FailureDetailsProperties]
    State: Final[PropertyString]
    StateChangeReason: Final[StepStateChangeReasonProperties]
    Timeline: Final[StepTimelineProperties]

class StepTimelineProperties(Properties):
    """botocore's emr ``StepTimeline``."""

    CreationDateTime: Final[PropertyTimestamp]
    EndDateTime: Final[PropertyTimestamp]
    StartDateTime: Final[PropertyTimestamp]

class StoppingConditionProperties(Properties):
    """botocore's sagemaker ``StoppingCondition``."""

    MaxPendingTimeInSeconds: Final[PropertyInteger]
    MaxRuntimeInSeconds: Final[PropertyInteger]
    MaxWaitTimeInSeconds: Final[PropertyInteger]

class TensorBoardOutputConfigProperties(Properties):
    """botocore's sagemaker ``TensorBoardOutputConfig``."""

    LocalPath: Final[PropertyString]
    S3OutputPath: Final[PropertyString]

class TrafficRoutingConfigProperties(Properties):
    """botocore's sagemaker ``TrafficRoutingConfig``."""

    CanarySize: Final[CapacitySizeProperties]
    LinearStepSize: Final[CapacitySizeProperties]
    Type: Final[PropertyString]
    WaitIntervalInSeconds: Final[PropertyInteger]

class TrainingImageConfigProperties(Properties):
    """botocore's sagemaker ``TrainingImageConfig``."""

    TrainingRepositoryAccessMode: Final[PropertyString]
    TrainingRepositoryAuthConfig: Final[TrainingRepositoryAuthConfigProperties]

class TrainingJobStatusCountersProperties(Properties):
    """botocore's sagemaker ``TrainingJobStatusCounters``."""

    Completed: Final[PropertyInteger]
    InProgress: Final[PropertyInteger]
    NonRetryableError: Final[PropertyInteger]
    RetryableError: Final[PropertyInteger]
    Stopped: Final[PropertyInteger]

class TrainingProgressInfoProperties(Properties):
    """botocore's sagemaker ``TrainingProgressInfo``."""

    CurrentEpoch: Final[PropertyInteger]
    CurrentStep: Final[PropertyInteger]
    MaxEpoch: Final[PropertyInteger]
    TotalStepCountPerEpoch: Final[PropertyInteger]

class TrainingRepositoryAuthConfigProperties(Properties):
    """botocore's sagemaker ``TrainingRepositoryAuthConfig``."""

    TrainingRepositoryCredentialsProviderArn: Final[PropertyString]

class TrainingStepProperties(Properties):
    """``TrainingStep.properties``.

    The members of botocore's sagemaker ``DescribeTrainingJobResponse``.
    """

    AlgorithmSpecification: Final[AlgorithmSpecificationProperties]
    AutoMLJobArn: Final[PropertyString]
    BillableTimeInSeconds: Final[PropertyInteger]
    BillableTokenCount: Final[PropertyInteger]
    CheckpointConfig: Final[CheckpointConfigProperties]
    CreationTime: Final[PropertyTimestamp]
    DebugHookConfig: Final[DebugHookConfigProperties]
    DebugRuleConfigurations: Final[PropertyKeyedList[DebugRuleConfigurationProperties]]
    DebugRuleEvaluationStatuses: Final[PropertyKeyedList[DebugRuleEvaluationStatusProperties]]
    EnableInterContainerTrafficEncryption: Final[PropertyBoolean]
    EnableManagedSpotTraining: Final[PropertyBoolean]
    EnableNetworkIsolation: Final[PropertyBoolean]
    Environment: Final[PropertyMap[PropertyString]]
    ExperimentConfig: Final[ExperimentConfigProperties]
    FailureReason: Final[PropertyString]
    FinalMetricDataList: Final[PropertyKeyedList[MetricDataProperties]]
    HyperParameters: Final[PropertyMap[PropertyString]]
    InfraCheckConfig: Final[InfraCheckConfigProperties]
    InputDataConfig: Final[PropertyKeyedList[ChannelProperties]]
    LabelingJobArn: Final[PropertyString]
    LastModifiedTime: Final[PropertyTimestamp]
    MlflowConfig: Final[MlflowConfigProperties]
    MlflowDetails: Final[MlflowDetailsProperties]
    ModelArtifacts: Final[ModelArtifactsProperties]
    ModelPackageConfig: Final[ModelPackageConfigProperties]
    OutputDataConfig: Final[OutputDataConfigProperties]
    OutputModelPackageArn: Final[PropertyString]
    ProfilerConfig: Final[ProfilerConfigProperties]
    ProfilerRuleConfigurations: Final[PropertyKeyedList[ProfilerRuleConfigurationProperties]]
    ProfilerRuleEvaluationStatuses: Final[PropertyKeyedList[ProfilerRuleEvaluationStatusProperties]]
    ProfilingStatus: Final[PropertyString]
    ProgressInfo: Final[TrainingProgressInfoProperties]
    RemoteDebugConfig: Final[RemoteDebugConfigProperties]
    ResourceConfig: Final[ResourceConfigProperties]
    RetryStrategy: Final[RetryStrategyProperties]
    RoleArn: Final[PropertyString]
    SecondaryStatus: Final[PropertyString]
    SecondaryStatusTransitions: Final[PropertyKeyedList[SecondaryStatusTransitionProperties]]
    ServerlessJobConfig: Final[ServerlessJobConfigProperties]
    StoppingCondition: Final[StoppingConditionProperties]
    TensorBoardOutputConfig: Final[TensorBoardOutputConfigProperties]
    TrainingEndTime: Final[PropertyTimestamp]
    TrainingJobArn: Final[PropertyString]
    TrainingJobName: Final[PropertyString]
    TrainingJobStatus: Final[PropertyString]
    TrainingStartTime: Final[PropertyTimestamp]
    TrainingTimeInSeconds: Final[PropertyInteger]
    TuningJobArn: Final[PropertyString]
    VpcConfig: Final[VpcConfigProperties]
    WarmPoolStatus: Final[WarmPoolStatusProperties]

class TransformDataSourceProperties(Properties):
    """botocore's sagemaker ``TransformDataSource``."""

    S3DataSource: Final[TransformS3DataSourceProperties]

class TransformInputProperties(Properties):
    """botocore's sagemaker ``TransformInput``."""

    CompressionType: Final[PropertyString]
    ContentType: Final[PropertyString]
    DataSource: Final[TransformDataSourceProperties]
    SplitType: Final[PropertyString]

class TransformJobDefinitionProperties(Properties):
    """botocore's sagemaker ``TransformJobDefinition``."""

    BatchStrategy: Final[PropertyString]
    Environment: Final[PropertyMap[PropertyString]]
    MaxConcurrentTransforms: Final[PropertyInteger]
    MaxPayloadInMB: Final[PropertyInteger]
    TransformInput: Final[TransformInputProperties]
    TransformOutput: Final[TransformOutputProperties]
    TransformResources: Final[TransformResourcesProperties]

class TransformOutputProperties(Properties):
    """botocore's sagemaker ``TransformOutput``."""

    Accept: Final[PropertyString]
    AssembleWith: Final[PropertyString]
    KmsKeyId: Final[PropertyString]
    S3OutputPath: Final[PropertyString]

class TransformResourcesProperties(Properties):
    """botocore's sagemaker ``TransformResources``."""

    InstanceCount: Final[PropertyInteger]
    InstanceType: Final[PropertyString]
    TransformAmiVersion: Final[PropertyString]
    VolumeKmsKeyId: Final[PropertyString]

class TransformS3DataSourceProperties(Properties):
    """botocore's sagemaker ``TransformS3DataSource``."""

    S3DataType: Final[PropertyString]
    S3Uri: Final[PropertyString]

class TransformStepProperties(Properties):
    """``TransformStep.properties``.

    The members of botocore's sagemaker ``DescribeTransformJobResponse``.
    """

    AutoMLJobArn: Final[PropertyString]
    BatchStrategy: Final[PropertyString]
    CreationTime: Final[PropertyTimestamp]
    DataCaptureConfig: Final[BatchDataCaptureConfigProperties]
    DataProcessing: Final[DataProcessingProperties]
    Environment: Final[PropertyMap[PropertyString]]
    ExperimentConfig: Final[ExperimentConfigProperties]
    FailureReason: Final[PropertyString]
    LabelingJobArn: Final[PropertyString]
    MaxConcurrentTransforms: Final[PropertyInteger]
    MaxPayloadInMB: Final[PropertyInteger]
    ModelClientConfig: Final[ModelClientConfigProperties]
    ModelName: Final[PropertyString]
    TransformEndTime: Final[PropertyTimestamp]
    TransformInput: Final[TransformInputProperties]
    TransformJobArn: Final[PropertyString]
    TransformJobName: Final[PropertyString]
    TransformJobStatus: Final[PropertyString]
    TransformOutput: Final[TransformOutputProperties]
    TransformResources: Final[TransformResourcesProperties]
    TransformStartTime: Final[PropertyTimestamp]

class TuningJobCompletionCriteriaProperties(Properties):
    """botocore's sagemaker ``TuningJobCompletionCriteria``."""

    BestObjectiveNotImproving: Final[BestObjectiveNotImprovingProperties]
    ConvergenceDetected: Final[ConvergenceDetectedProperties]
    TargetObjectiveMetricValue: Final[PropertyFloat]

class TuningStepProperties(Properties):
    """``TuningStep.properties``.

    The members of botocore's sagemaker ``DescribeHyperParameterTuningJobResponse`` and sagemaker
    ``ListTrainingJobsForHyperParameterTuningJobResponse``.
    """

    Autotune: Final[AutotuneProperties]
    BestTrainingJob: Final[HyperParameterTrainingJobSummaryProperties]
    ConsumedResources: Final[HyperParameterTuningJobConsumedResourcesProperties]
    CreationTime: Final[PropertyTimestamp]
    FailureReason: Final[PropertyString]
    HyperParameterTuningEndTime: Final[PropertyTimestamp]
    HyperParameterTuningJobArn: Final[PropertyString]
    HyperParameterTuningJobConfig: Final[HyperParameterTuningJobConfigProperties]
    HyperParameterTuningJobName: Final[PropertyString]
    HyperParameterTuningJobStatus: Final[PropertyString]
    LastModifiedTime: Final[PropertyTimestamp]
    NextToken: Final[PropertyString]
    ObjectiveStatusCounters: Final[ObjectiveStatusCountersProperties]
    OverallBestTrainingJob: Final[HyperParameterTrainingJobSummaryProperties]
    TrainingJobDefinition: Final[HyperParameterTrainingJobDefinitionProperties]
    TrainingJobDefinitions: Final[PropertyKeyedList[HyperParameterTrainingJobDefinitionProperties]]
    TrainingJobStatusCounters: Final[TrainingJobStatusCountersProperties]
    TrainingJobSummaries: Final[PropertyKeyedList[HyperParameterTrainingJobSummaryProperties]]
    TuningJobCompletionDetails: Final[HyperParameterTuningJobCompletionDetailsProperties]
    WarmStartConfig: Final[HyperParameterTuningJobWarmStartConfigProperties]

class UserContextProperties(Properties):
    """botocore's sagemaker ``UserContext``."""

    DomainId: Final[PropertyString]
    IamIdentity: Final[IamIdentityProperties]
    UserProfileArn: Final[PropertyString]
    UserProfileName: Final[PropertyString]

class VpcConfigProperties(Properties):
    """botocore's sagemaker ``VpcConfig``."""

    SecurityGroupIds: Final[PropertyList[PropertyString]]
    Subnets: Final[PropertyList[PropertyString]]

class WarmPoolStatusProperties(Properties):
    """botocore's sagemaker ``WarmPoolStatus``."""

    ResourceRetainedBillableTimeInSeconds: Final[PropertyInteger]
    ReusedByJob: Final[PropertyString]
    Status: Final[PropertyString]
