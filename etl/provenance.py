"""Checksums, provenance sidecars and atomic writes."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

SIDECAR_SUFFIX = ".meta.yml"


def sha256_of(path: Path) -> str:
    """Return the hex SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def sidecar_path(path: Path) -> Path:
    return Path(path).with_name(Path(path).name + SIDECAR_SUFFIX)


def read_sidecar(path: Path) -> dict[str, Any] | None:
    """Return the provenance sidecar of a raw file, or None when it has none."""
    meta = sidecar_path(path)
    if not meta.exists():
        return None
    return yaml.safe_load(meta.read_text(encoding="utf-8"))


def write_atomic(path: Path, text: str) -> None:
    """Write text to path via a temporary file and a rename, so readers never see half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.fchmod(fd, 0o644)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_json(path: Path, obj: Any) -> None:
    write_atomic(path, json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False))
