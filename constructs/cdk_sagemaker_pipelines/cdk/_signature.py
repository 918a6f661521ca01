"""``inspect.signature`` of the constructs: their ``__init__``'s, not jsii's metaclass call.

jsii's classes are created through ``JSIIMeta.__call__(cls, *args, **kwargs)``, which
``inspect.signature`` (and so notebooks' and IDEs' call help, ``help()``) reads for a
class with a metaclass ``__call__``: every construct showed ``(*args, **kwargs)``.
``inspect.signature`` reads a class's ``__signature__`` first.
"""

from __future__ import annotations

import inspect
from typing import Any


class InitSignature:
    """A class's ``__signature__``: its own ``__init__``'s, without ``self``.

    A descriptor, so a subclass with an ``__init__`` of its own gets that one's, and an
    instance none (``inspect`` then reads the object as usual).

    Example::

        Pipeline.__signature__ = InitSignature()
        inspect.signature(Pipeline)  # (scope, construct_id, *, definition, ...)
    """

    def __get__(self, instance: object, owner: type) -> inspect.Signature | None:
        if instance is not None:
            return None
        signature = inspect.signature(_own_init(owner))
        return signature.replace(parameters=list(signature.parameters.values())[1:])


def _own_init(cls: type) -> Any:
    """The ``__init__`` ``cls`` has, its own or inherited (what calling it runs)."""
    return next(vars(klass)["__init__"] for klass in cls.__mro__ if "__init__" in vars(klass))


def show_init_signatures(*classes: Any) -> None:
    """Give each of ``classes`` (jsii classes) the signature of its ``__init__``."""
    for cls in classes:
        cls.__signature__ = InitSignature()
