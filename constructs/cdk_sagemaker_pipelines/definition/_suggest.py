"""Close-match suggestions for error hints."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """Return a ``did you mean …?`` hint for the closest candidates, or ``None``.

    Example::

        did_you_mean("S3ModelArtifact", ["S3ModelArtifacts"])  # "did you mean 'S3ModelArtifacts'?"
    """
    return _did_you_mean(word, tuple(candidates))


# The same slip is often made many times (one instance type in every step): difflib
# costs milliseconds per call against a long list.
@functools.lru_cache(maxsize=1024)
def _did_you_mean(word: str, pool: tuple[str, ...]) -> str | None:
    # A missing prefix ("m5.large" for "ml.m5.large") is the likeliest slip: try it first.
    suffixed = [candidate for candidate in pool if candidate.endswith(word) and candidate != word]
    if word and len(suffixed) == 1:
        return f"did you mean {suffixed[0]!r}?"
    import difflib  # only when a problem is reported: not worth its import time up front

    matches = difflib.get_close_matches(word, pool, n=3, cutoff=0.6)
    if not matches:
        lowered = {candidate.lower(): candidate for candidate in pool}
        if word.lower() in lowered:
            matches = [lowered[word.lower()]]
    if not matches:
        return None
    return "did you mean " + " or ".join(repr(match) for match in matches) + "?"


def one_of(values: Iterable[str], limit: int = 6) -> str:
    """Render a readable ``one of`` list, cut after ``limit`` entries.

    Long lists that share a prefix are summarised: ``the 207 'ml.*' values``.

    Example::

        one_of(["File", "Pipe", "FastFile"])  # "'File', 'Pipe', 'FastFile'"
    """
    pool = list(values)
    if len(pool) > 2 * limit:
        prefix = os.path.commonprefix(pool)  # noqa: RUF071 (a string prefix is meant)
        if len(prefix) >= 2:
            return f"the {len(pool)} '{prefix}*' values"
    shown = ", ".join(repr(value) for value in pool[:limit])
    if len(pool) > limit:
        shown += f", … ({len(pool)} in all)"
    return shown
