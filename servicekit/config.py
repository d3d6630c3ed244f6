"""Settings of a service from the environment only, secrets possibly from files.

Every setting ``MUSETTE_<SVC>_<NAME>`` may instead be given as ``MUSETTE_<SVC>_<NAME>_FILE``:
the path of a file holding the value (a Docker or Kubernetes secret), read at start-up with
one trailing newline removed. Setting both is an error, as is an unreadable file; neither
message repeats the file's contents.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic_settings import BaseSettings

S = TypeVar("S", bound=BaseSettings)

FILE_SUFFIX = "_FILE"


def values_from_files(
    prefix: str, fields: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> dict[str, str]:
    """``{field: contents}`` for every ``<PREFIX><FIELD>_FILE`` variable of the environment."""
    env = os.environ if environ is None else environ
    values: dict[str, str] = {}
    for name in fields:
        variable = f"{prefix}{name.upper()}"
        path = env.get(variable + FILE_SUFFIX)
        if path is None:
            continue
        if variable in env:
            raise ValueError(f"set {variable} or {variable}{FILE_SUFFIX}, not both")
        try:
            content = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            reason = err.strerror if isinstance(err, OSError) else "not UTF-8 text"
            raise ValueError(f"{variable}{FILE_SUFFIX}: cannot read {path}: {reason}") from None
        values[name] = content.removesuffix("\n").removesuffix("\r")
    return values


def settings_from_env(cls: type[S], **overrides: Any) -> S:
    """``cls()`` from the environment, ``*_FILE`` secrets read, ``overrides`` on top."""
    prefix = str(cls.model_config.get("env_prefix", ""))
    values: dict[str, Any] = values_from_files(prefix, cls.model_fields)
    values.update(overrides)
    return cls(**values)
