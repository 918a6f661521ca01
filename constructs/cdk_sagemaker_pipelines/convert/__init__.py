"""``smpipe convert``: a pipeline definition JSON as Python code of the definition language.

Pure Python: nothing here imports ``aws_cdk``.

Example::

    from cdk_sagemaker_pipelines.convert import convert_definition

    source = convert_definition(json.loads(Path("pipeline.json").read_text()))
"""

from ._convert import (
    ConversionError,
    ConversionProblem,
    convert_definition,
    definition_difference,
)

__all__ = ["ConversionError", "ConversionProblem", "convert_definition", "definition_difference"]
