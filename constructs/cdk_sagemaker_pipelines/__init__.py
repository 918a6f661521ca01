"""SageMaker Pipelines as typed Python, CDK constructs and a local runner.

The top-level package imports nothing heavy: ``cdk_sagemaker_pipelines.definition``
(the language) and ``cdk_sagemaker_pipelines.local`` (the runner) never import
``aws_cdk``; the constructs live in ``cdk_sagemaker_pipelines.cdk``.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
