"""A Mermaid flowchart of a pipeline definition, for reviews (``smpipe graph``).

``mermaid(definition)`` draws any definition dict (ours, the SDK's, a broken one) as a
top-down ``flowchart TD`` that GitHub renders in a ```` ```mermaid ```` block: one node per
step (branch steps included; a dangling reference as a dashed node), edges for the data
a step reads (``-->``), ``DependsOn`` (``-.->``) and branches (``-->|if|``,
``-->|else|``). It is written in ``definition/_mermaid.py``, which says how each step and
edge is drawn, so that the language can draw itself in a notebook.

Example::

    print(mermaid(pipeline.to_definition(binder)))
    # flowchart TD
    #     Train["Train<br/>Training"]
    #     Evaluate["Evaluate<br/>Processing"]
    #     Train --> Evaluate
"""

from __future__ import annotations

from ..definition._mermaid import mermaid

__all__ = ["mermaid"]
