"""An example ML project: a scikit-learn classifier on the breast cancer dataset.

``scripts/`` holds the job scripts (they run unchanged in SageMaker's scikit-learn images
and in the local runner); ``pipeline.py`` defines the pipeline with the definition language.
"""
