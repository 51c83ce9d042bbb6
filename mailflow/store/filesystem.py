"""The filesystem message store: zstandard-compressed blobs under a directory (docs/quarantine.md).

Layout: ``<root>/<namespace>/<key[:2]>/<key[2:4]>/<key>.zst``. A blob is
written to a temporary file, fsynced and renamed into place, so a reader
sees the whole blob or none. Storing bytes that are already there only
refreshes the blob's mtime (so a concurrent cleanup's grace period covers a
writer whose index row is still on its way to the database).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import time
from pathlib import Path

import zstandard

from mailflow.store.base import IntegrityError, StoreError, digest

_KEY = re.compile(r"^[0-9a-f]{64}$")
_NAMESPACE = re.compile(r"^[a-z0-9_]{1,63}$")
_LEVEL = 6


class FileStore:
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def path(self, namespace: str, key: str) -> Path:
        if not _NAMESPACE.match(namespace) or not _KEY.match(key):
            raise StoreError(f"invalid store address {namespace!r}/{key!r}")
        return self.root / namespace / key[:2] / key[2:4] / f"{key}.zst"

    def put(self, namespace: str, data: bytes) -> str:
        key = digest(data)
        target = self.path(namespace, key)
        if target.exists():
            try:
                os.utime(target)
                return key
            except FileNotFoundError:
                pass  # removed meanwhile: write it again
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{key}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        try:
            with open(tmp, "wb") as fh:
                fh.write(zstandard.ZstdCompressor(level=_LEVEL).compress(data))
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
            fd = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise StoreError(f"cannot store message {key}: {exc}") from exc
        return key

    def get(self, namespace: str, key: str) -> bytes:
        try:
            compressed = self.path(namespace, key).read_bytes()
        except FileNotFoundError:
            raise KeyError(key) from None
        try:
            data = zstandard.ZstdDecompressor().decompress(compressed)
        except zstandard.ZstdError as exc:
            raise IntegrityError(f"stored message {key} cannot be decompressed: {exc}") from exc
        if digest(data) != key:
            raise IntegrityError(f"stored message {key} does not match its hash")
        return data

    def exists(self, namespace: str, key: str) -> bool:
        return self.path(namespace, key).exists()

    def delete(self, namespace: str, key: str, *, grace: float = 0.0) -> bool:
        path = self.path(namespace, key)
        try:
            if grace and time.time() - path.stat().st_mtime < grace:
                return False
            path.unlink()
        except FileNotFoundError:
            return False
        return True

    def drop_namespace(self, namespace: str) -> int:
        """Remove the namespace's directory: first renamed aside, so no reader meets half of it, then deleted."""
        if not _NAMESPACE.match(namespace):
            raise StoreError(f"invalid store namespace {namespace!r}")
        source = self.root / namespace
        aside = self.root / f".dropped-{namespace}-{secrets.token_hex(4)}"
        try:
            os.replace(source, aside)
        except FileNotFoundError:
            return 0
        except OSError as exc:
            raise StoreError(f"cannot drop store namespace {namespace}: {exc}") from exc
        removed = sum(1 for path in aside.rglob("*.zst"))
        try:
            shutil.rmtree(aside)
        except OSError as exc:
            raise StoreError(f"cannot remove {aside}: {exc}") from exc
        return removed
