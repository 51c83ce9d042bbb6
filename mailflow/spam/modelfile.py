"""Model file format: versioned, checksummed, compact.

Layout: ``MFSPAM`` magic, one format-version byte, the SHA-256 of the
payload (32 bytes), then the zlib-compressed payload.  The payload is a
length-prefixed JSON header (bias, quantisation step, metadata) followed by
the sorted feature ids (uint32, delta-encoded) and the weights quantised to
int16.  A truncated or altered file fails the checksum and raises
``ModelError``.  See docs/spam.md.
"""

from __future__ import annotations

import hashlib
import json
import struct
import sys
import zlib
from array import array

from mailflow.spam.model import Model, ModelError

MAGIC = b"MFSPAM"
FORMAT_VERSION = 1
QUANT_STEP = 1.0 / 2048  # int16 range covers weights of +-16
PRUNE_BELOW = 0.5 / 2048


def _little(arr: array) -> bytes:  # type: ignore[type-arg]
    if sys.byteorder != "little":
        arr = array(arr.typecode, arr)
        arr.byteswap()
    return arr.tobytes()


def _from_little(typecode: str, data: bytes) -> array:  # type: ignore[type-arg]
    arr = array(typecode)
    arr.frombytes(data)
    if sys.byteorder != "little":
        arr.byteswap()
    return arr


def dump_model(model: Model) -> bytes:
    """Serialise ``model`` to bytes."""
    items = sorted((k, w) for k, w in model.weights.items() if abs(w) >= PRUNE_BELOW)
    ids = array("I", (0 for _ in range(len(items))))
    weights = array("h", (0 for _ in range(len(items))))
    previous = 0
    for n, (key, weight) in enumerate(items):
        ids[n], previous = key - previous, key
        weights[n] = max(-32767, min(32767, round(weight / QUANT_STEP)))
    header = json.dumps(
        {"bias": model.bias, "step": QUANT_STEP, "count": len(items), "body_only": model.body_only, "meta": model.meta},
        sort_keys=True,
    ).encode()
    payload = struct.pack("<I", len(header)) + header + _little(ids) + _little(weights)
    packed = zlib.compress(payload, 9)
    return MAGIC + bytes([FORMAT_VERSION]) + hashlib.sha256(packed).digest() + packed


def load_model(data: bytes) -> Model:
    """Parse bytes written by ``dump_model``; raise ``ModelError`` if damaged."""
    if len(data) < 39 or not data.startswith(MAGIC):
        raise ModelError("not a spam model file")
    if data[6] != FORMAT_VERSION:
        raise ModelError(f"unsupported model format version {data[6]}")
    digest, packed = data[7:39], data[39:]
    if hashlib.sha256(packed).digest() != digest:
        raise ModelError("model file checksum mismatch (corrupt or truncated)")
    try:
        return _parse_payload(zlib.decompress(packed))
    except (zlib.error, ValueError, KeyError, struct.error) as exc:
        raise ModelError(f"model payload unreadable: {exc}") from exc


def _parse_payload(payload: bytes) -> Model:
    (hlen,) = struct.unpack_from("<I", payload, 0)
    header = json.loads(payload[4 : 4 + hlen])
    count, step = int(header["count"]), float(header["step"])
    start = 4 + hlen
    ids = _from_little("I", payload[start : start + 4 * count])
    weights = _from_little("h", payload[start + 4 * count : start + 6 * count])
    if len(ids) != count or len(weights) != count:
        raise ValueError("feature table length mismatch")
    table: dict[int, float] = {}
    key = 0
    for delta, weight in zip(ids, weights, strict=True):
        key += delta
        table[key] = weight * step
    return Model(table, float(header["bias"]), bool(header["body_only"]), dict(header["meta"]))
