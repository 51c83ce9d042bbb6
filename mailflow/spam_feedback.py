"""Per-provider and per-customer learning from quarantine feedback (docs/spam.md).

"Report as spam" and "release as not spam" in the consoles and digests leave
``QuarantineFeedback`` rows in the customer's schema. ``learn_pending``
teaches them to that customer's feedback layer, and records each message's
fuzzy sketch in the platform's bulk signatures (``mailflow.checks.fuzzy``,
where one customer's reports count for the others only once enough
customers agree); ``model_for`` gives the
spam check the stacked model for one customer:

    shipped (or ``SPE_SPAM_MODEL``) base  <  provider layer  <  customer layer

Layer files live under ``SPE_STORE_DIR/models``: ``provider.bin`` and one
``<schema>.bin`` per customer, in the classifier's own checksummed format,
written atomically (temporary file, then rename). A layer holds only the
weights feedback touched, so it stays small. One customer's feedback never
changes another customer's classifier; in the bulk signatures it counts for
other customers only together with other customers' reports of the same
text (``SPE_FUZZY_QUORUM``).
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from pathlib import Path

from django.conf import settings

from mailflow.spam import LayeredModel, Model, ModelError
from mailflow.spam.fuzzy import Sketch, file_digests, file_sketches, sketch_view
from mailflow.spam.modelfile import dump_model
from mailflow.spam.view import parsed_view

log = logging.getLogger(__name__)

PROVIDER_LAYER = "provider"
BATCH = 500  # feedback rows learned per call and customer

_lock = threading.Lock()
_cache: dict[str, tuple[tuple[object, ...], LayeredModel]] = {}


def models_dir() -> Path:
    return Path(settings.SPE_STORE_DIR) / "models"


def layer_path(name: str) -> Path:
    """File of the ``provider`` layer or of a customer schema's layer."""
    if not name or "/" in name or name.startswith("."):
        raise ValueError(f"bad layer name {name!r}")
    return models_dir() / f"{name}.bin"


def _stamp(path: Path | str) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


_layer_files: dict[tuple[str, str], tuple[str, str]] = {}  # (store dir, schema) -> the two layer files


def _layer_files_of(customer_schema: str) -> tuple[str, str]:
    """The provider's and the customer's layer file, as strings (looked up per message: kept per process)."""
    key = (str(settings.SPE_STORE_DIR), customer_schema)
    files = _layer_files.get(key)
    if files is None:
        files = _layer_files[key] = (str(layer_path(PROVIDER_LAYER)), str(layer_path(customer_schema)))
    return files


def _base_model() -> Model:
    """The base the spam check uses (``SPE_SPAM_MODEL`` or the shipped model)."""
    from mailflow.checks import resources

    return resources.spam_model()


def _read_layer(path: Path, body_only: bool) -> Model:
    """The feedback layer in ``path``; an empty layer if absent or damaged."""
    if not path.exists():
        return Model(body_only=body_only)
    try:
        return Model.load(path)
    except ModelError as exc:
        log.error("spam feedback layer %s unusable (%s); ignoring it", path, exc)
        return Model(body_only=body_only)


def write_layer(layer: Model, path: Path) -> None:
    """Write ``layer`` to ``path`` atomically: readers see the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = dump_model(layer)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _stack(base: Model, schema: str | None) -> LayeredModel:
    provider = LayeredModel.over(base, _read_layer(layer_path(PROVIDER_LAYER), base.body_only))
    if schema is None:
        return provider
    return LayeredModel.over(provider, _read_layer(layer_path(schema), base.body_only))


def model_for(customer_schema: str) -> LayeredModel:
    """The stacked model for one customer, cached per process.

    Reloaded when the base model object or either layer file changes.
    Raises ``ModelError`` only when the base model itself is unusable;
    a damaged layer file is logged and ignored.
    """
    base = _base_model()
    provider_file, customer_file = _layer_files_of(customer_schema)
    key = (id(base), _stamp(provider_file), _stamp(customer_file))
    cached = _cache.get(customer_schema)
    if cached is not None and cached[0] == key:
        return cached[1]
    with _lock:
        model = _stack(base, customer_schema)
        _cache[customer_schema] = (key, model)
        return model


def drop_layer(schema: str) -> bool:
    """Delete a customer's feedback layer (the customer was purged); True if there was one."""
    path = layer_path(schema)
    existed = path.exists()
    path.unlink(missing_ok=True)
    with _lock:
        _cache.pop(schema, None)
    return existed


def forget() -> None:
    """Drop every cached stack and layer file name (tests; after replacing files in place)."""
    with _lock:
        _cache.clear()
        _layer_files.clear()


def learn_pending(customer) -> int:
    """Learn the customer's unlearned feedback rows into its layer; return how many were learned.

    Rows whose message is no longer in the store are marked learned without
    being learned (nothing left to learn from). A row whose label changed
    while this ran stays pending and is learned next time.
    """
    from django_tenants.utils import schema_context

    from mailflow.checks import fuzzy
    from mailflow.models import QuarantineFeedback
    from mailflow.store import StoreError, get_store

    schema = customer.schema_name
    with schema_context(schema):
        rows = list(
            QuarantineFeedback.objects.filter(learned=False)
            .order_by("created", "pk")
            .values_list("pk", "store_key", "label")[:BATCH]
        )
        if not rows:
            return 0
        base = _base_model()
        path = layer_path(schema)
        stack = _stack(base, schema)
        store = get_store()
        done: dict[str, list[int]] = {"spam": [], "ham": []}
        sketches: list[tuple[Sketch, str]] = []
        files: list[tuple[str, str]] = []
        learned = 0
        for pk, store_key, label in rows:
            if label not in done:
                continue
            try:
                raw = store.get(schema, store_key)
            except (KeyError, StoreError, OSError) as exc:
                log.info("feedback %s of %s: message gone from the store (%s); skipped", pk, schema, exc)
                done[label].append(pk)
                continue
            parsed, view = parsed_view(raw)
            stack.learn(view, is_spam=label == "spam")
            sketch = sketch_view(view)
            if sketch is not None:
                sketches.append((sketch, label))
            files.extend((digest, label) for digest, _name in file_digests(parsed))
            sketches.extend((text, label) for text, _name in file_sketches(parsed))
            done[label].append(pk)
            learned += 1
        if learned:
            write_layer(stack.top, path)
        if (sketches or files) and getattr(settings, "SPE_FUZZY", True):
            # The platform's bulk signatures (mailflow/checks/fuzzy.py). If Redis is away this raises and the
            # rows stay pending: the next run learns them again, which changes nothing already learned.
            fuzzy.report(sketches, schema, files=files)
        for label, pks in done.items():
            if pks:
                QuarantineFeedback.objects.filter(pk__in=pks, label=label, learned=False).update(learned=True)
    return learned
