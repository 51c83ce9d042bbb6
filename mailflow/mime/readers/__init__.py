"""Archive readers, keyed by the true MIME type of the container.

One module per format; each exposes ``read_<format>(ex, data, name)``
which lists members into an :class:`~mailflow.mime.extraction.Extraction`
and may raise anything on corrupt input (the caller turns that into an
``unscannable`` fact). Adding a format is one module plus one line here.
See ``docs/mime.md``.
"""

from __future__ import annotations

from collections.abc import Callable

from mailflow.mime.extraction import Extraction
from mailflow.mime.readers.rar import read_rar
from mailflow.mime.readers.sevenzip import read_7z
from mailflow.mime.readers.stream import read_bzip2, read_gzip, read_xz
from mailflow.mime.readers.tar import read_tar
from mailflow.mime.readers.zip import read_zip

Reader = Callable[[Extraction, bytes, str], None]

_FORMATS: tuple[tuple[Reader, tuple[str, ...]], ...] = (
    (read_zip, ("application/zip", "application/x-zip-compressed", "application/java-archive")),
    (read_tar, ("application/x-tar",)),
    (read_gzip, ("application/gzip", "application/x-gzip")),
    (read_bzip2, ("application/x-bzip2",)),
    (read_xz, ("application/x-xz", "application/x-lzma")),
    (read_7z, ("application/x-7z-compressed",)),
    (read_rar, ("application/x-rar", "application/vnd.rar", "application/x-rar-compressed")),
)


def _build() -> dict[str, Reader]:
    registry: dict[str, Reader] = {}
    for reader, mimes in _FORMATS:
        for mime in mimes:
            if mime in registry:
                raise ValueError(f"two archive readers claim {mime}")
            registry[mime] = reader
    return registry


READERS: dict[str, Reader] = _build()


def reader_for(mime: str) -> Reader | None:
    """The reader for a container's true MIME type, if there is one."""
    return READERS.get(mime.lower())
