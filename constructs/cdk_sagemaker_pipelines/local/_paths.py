"""What keeps values the runner doesn't control from naming paths outside its directories.

S3 URIs, step, output and channel names, model package groups and execution ids come
from the definition, from parameters given at run time, from property files, from the
command line. Each becomes a local path somewhere; these rules are the one place that
says which ones can.

- An S3 URI maps to ``<bucket>/<key>`` under a local tree only if its bucket is a bucket
  name and no segment of its key is ``.`` or ``..`` (S3 keeps those as characters of the
  key; a local path would follow them, out of the tree or onto another object). Empty
  segments (``a//b``) and a leading ``/`` can't leave the tree: they are kept in the URI,
  as S3 keeps them, and a local path collapses them (``s3://b/a//b`` and ``s3://b/a/b`` are
  one file of the shared tree).
- A name that becomes one file or folder name (an output, a channel, a model package
  group) may not be empty, ``.`` or ``..``, nor hold ``/`` or a NUL character.

Example::

    s3_location_problem("b", "data/../../etc")  # "its key has a '..' segment, …"
    name_problem("../x")                         # "it holds '/', …"
"""

from __future__ import annotations

import re
from pathlib import Path

# Bucket names: letters, digits, '.', '-' and '_' (the last in names older than March
# 2018, which may hold capitals too), beginning and ending with a letter or digit. Length
# isn't judged beyond what a file name can hold: the runner's tests and examples use
# one-letter buckets. An access point's ARN stands where a bucket goes in some S3 URIs
# (s3://arn:aws:s3:us-east-1:111122223333:accesspoint/name/key): a name too, locally.
_BUCKET = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,253}[A-Za-z0-9])?")
_ACCESS_POINT = re.compile(r"arn:aws[a-z-]*:s3(?:-object-lambda)?:[a-z0-9-]+:\d{12}:accesspoint")
BUCKET_RULE = "letters, digits, '.', '-' and '_', beginning and ending with a letter or digit"
NAME_MAX = 255  # bytes in one file name (Linux and macOS)
EXECUTION_ID = re.compile(r"[A-Za-z0-9]+")


def s3_location_problem(bucket: str, key: str) -> str | None:
    """Why ``s3://<bucket>/<key>`` can't be a local path, or None if it can.

    Example::

        s3_location_problem("..", "etc")  # "'..' is not a bucket name (letters, …)"
    """
    if _BUCKET.fullmatch(bucket) is None and _ACCESS_POINT.fullmatch(bucket) is None:
        return f"{bucket!r} is not a bucket name ({BUCKET_RULE})"
    for segment in key.split("/"):
        if segment == "..":
            return (
                "its key has a '..' segment, which S3 keeps as two characters of the key but "
                "a local path would follow up a folder, out of the local S3 tree (write the "
                "key without it)"
            )
        if segment == ".":
            return (
                "its key has a '.' segment, which S3 keeps as a character of the key but a "
                "local path would drop, reading or writing another object (write the key "
                "without it)"
            )
        if "\0" in segment:
            return "its key holds a NUL character, which no local file name can"
        if len(segment.encode("utf-8", errors="surrogatepass")) > NAME_MAX:
            return (
                f"a segment of its key is longer than a local file name can be "
                f"({NAME_MAX} bytes): {segment[:40]}…"
            )
    return None


def name_problem(name: str) -> str | None:
    """Why ``name`` can't be one file or folder name of the runner's, or None if it can.

    Example::

        name_problem("..")  # "'..' names the folder above, not one of its own"
    """
    if not name:
        return "it is empty"
    if name in (".", ".."):
        return f"{name!r} names {'the folder itself' if name == '.' else 'the folder above'}"
    if "/" in name:
        return "it holds '/', which would make it a path of folders"
    if "\0" in name:
        return "it holds a NUL character, which no local file name can"
    if len(name.encode("utf-8", errors="surrogatepass")) > NAME_MAX:
        return f"it is longer than a local file name can be ({NAME_MAX} bytes)"
    return None


def shown_path(path: Path) -> str:
    """A local path as console output names it (``example_project/scripts/model``).

    Relative to the working directory if under it, else absolute.
    """
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
