"""How a ``ModelEndpoint``'s model data resource looks in a template, for its readers.

The endpoint's role reads the served versions' model data, which a custom resource of this
type finds at deploy time: its ``ATTRIBUTE`` is the objects' ARNs joined by
``DELIMITER``, which the role's statement splits (``Fn::Split``) into its ``Resource``;
its ``LIST_ATTRIBUTE`` the ``s3:prefix`` patterns of the uncompressed models among them,
split alike into the condition of the role's ``s3:ListBucket``.
Its properties name each version and its store's bucket (``Versions``), and the key
prefixes the function keeps the read under (``Prefixes``). The CDK construct writes it;
the local runner's assembly reader and ``smpipe access`` read it.
"""

from __future__ import annotations

RESOURCE_TYPE = "Custom::ModelDataLocations"
"""The custom resource's ``Type``."""
ATTRIBUTE = "ObjectArns"
"""Its attribute: the IAM resources of the served versions' model data, joined."""
LIST_ATTRIBUTE = "ListPrefixes"
"""Its attribute: the ``s3:prefix`` patterns of the uncompressed models (``S3Prefix``
data sources) among them, joined; ``NO_LIST_PREFIX`` when there are none."""
NO_LIST_PREFIX = "models/.no-uncompressed-model/"
"""The listing when no served version is uncompressed (IAM takes no empty condition): a
literal key prefix no store writes (a pipeline's are ``models/<pipeline name>/``, and a
pipeline name holds no ``.``), so listing it shows nothing."""
DELIMITER = "$$"
"""What joins them: the function writes every ``$`` of a key as ``${$}``, so no resource
holds two ``$`` in a row."""
PLACEHOLDER = "<model data of {}>"
"""How a review shows a version's model data, known at deploy time only, in a key pattern:
``models/<model data of churn version 3>``."""
