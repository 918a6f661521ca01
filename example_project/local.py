"""Run the example pipeline on this machine with the local runner (no Docker, no AWS).

``python -m example_project.local build`` compiles the pipeline with a ``StaticBinder``
(code under a stand-in S3 prefix) and writes ``build/example-pipeline.json`` and
``build/example-pipeline.resources.json``, which map that prefix to ``scripts/`` and the
data bucket to ``data/``. Then::

    smpipe run build/example-pipeline.json --resources build/example-pipeline.resources.json
    smpipe run … --param AccuracyThreshold=0.999    # the else branch: Failed, with the message

The deployed form runs the same way from the cloud assembly:
``smpipe run --assembly cdk.out --pipeline dev/MlOps/Training --s3-map
s3://dev-mlops-artifacts-data/curated=example_project/data``.

Example::

    loaded = local_pipeline()
    LocalRunner(LocalConfig(root=tmp_path)).run(loaded, {"AccuracyThreshold": "0.99"})
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from cdk_sagemaker_pipelines.definition import StaticBinder
from cdk_sagemaker_pipelines.local import LoadedPipeline, ResourceMap

from .pipeline import DATASET, SCRIPTS, PipelineSettings, build_pipeline

PIPELINE_NAME = "example-pipeline"
CODE_PREFIX = "s3://example-code/scripts"
DATA_BUCKET = "example-data"
DATA_KEY = "curated/"
MODEL_PACKAGE_GROUP = "breast-cancer-classifier"
ROLE = "arn:aws:iam::111122223333:role/ExamplePipelineStepRole"
BINDER = StaticBinder(
    region="us-east-1",
    role_arn=ROLE,
    default_bucket="example-artifacts",
    code_prefix=CODE_PREFIX,
)


def local_definition(settings: PipelineSettings | None = None) -> dict[str, Any]:
    """The example pipeline's definition, compiled as it deploys (bar the CDK tokens)."""
    pipeline = build_pipeline(
        data_bucket=DATA_BUCKET,
        data_key=DATA_KEY,
        model_package_group_name=MODEL_PACKAGE_GROUP,
        settings=settings,
    )
    return pipeline.to_definition(BINDER)


def local_resources() -> ResourceMap:
    """Serve the code prefix from ``scripts/`` and the data prefix from ``data/``."""
    return ResourceMap(
        s3={
            CODE_PREFIX: SCRIPTS,
            f"s3://{DATA_BUCKET}/{DATA_KEY.strip('/')}": DATASET.parent,
        },
        pipeline_name=PIPELINE_NAME,
    )


def local_pipeline(settings: PipelineSettings | None = None) -> LoadedPipeline:
    """Definition and resources together, ready for ``LocalRunner.run``."""
    return LoadedPipeline(local_definition(settings), local_resources(), PIPELINE_NAME)


def main(argv: list[str] | None = None) -> None:
    """Write ``<folder>/example-pipeline.json`` and its resources file."""
    folder = Path((argv if argv is not None else sys.argv[1:] or ["build"])[0])
    folder.mkdir(parents=True, exist_ok=True)
    definition = folder / f"{PIPELINE_NAME}.json"
    resources = folder / f"{PIPELINE_NAME}.resources.json"
    definition.write_text(json.dumps(local_definition(), indent=2) + "\n", encoding="utf-8")
    local_resources().save(resources)
    print(f"wrote {definition} and {resources}")


if __name__ == "__main__":
    main()
