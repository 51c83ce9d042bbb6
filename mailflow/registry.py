"""Explicit registries that fail loudly (docs/mailflow.md, "Registries").

Checks, actions and (later) policy conditions are registered by name from an
ordered tuple of classes in their package's ``__init__``. A duplicate name
raises at import; tests assert that every module in a registry's folder is
registered.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class DuplicateName(Exception):
    """Two registered classes claim the same name."""


class Registry(Generic[T]):
    def __init__(self, kind: str, classes: Iterable[type[T]]) -> None:
        self.kind = kind
        self._by_name: dict[str, type[T]] = {}
        for cls in classes:
            name = cls.name  # type: ignore[attr-defined]
            if name in self._by_name:
                raise DuplicateName(f"{kind} {name!r} is registered twice")
            self._by_name[name] = cls

    def __getitem__(self, name: str) -> type[T]:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"unknown {self.kind} {name!r}") from None

    def __contains__(self, name: str) -> bool:
        return name in self._by_name

    def __iter__(self) -> Iterator[type[T]]:
        return iter(self._by_name.values())

    def names(self) -> list[str]:
        return list(self._by_name)
