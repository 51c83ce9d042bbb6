"""Registries are explicit and complete: every module's classes are registered, names unique, described."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

from mailflow import actions
from mailflow.actions.base import Action
from mailflow.registry import DuplicateName, Registry
from policy import conditions
from policy.conditions.base import Condition

REGISTRIES = [(actions, Action, actions.registry, {"base"}), (conditions, Condition, conditions.registry, {"base"})]


@pytest.mark.parametrize(("package", "base", "registry", "skip"), REGISTRIES, ids=["actions", "conditions"])
def test_every_class_in_the_folder_is_registered_and_described(package, base, registry, skip):
    found = set()
    for module_info in pkgutil.iter_modules(package.__path__):
        if module_info.name in skip:
            continue
        module = importlib.import_module(f"{package.__name__}.{module_info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, base) and cls is not base and cls.__module__ == module.__name__:
                found.add(cls.name)
                assert cls.description, f"{cls.__name__} has no description"
    assert found == set(registry.names())


def test_a_duplicate_name_fails_at_import():
    class One(Action):
        name = "same"
        description = "one"

    class Two(Action):
        name = "same"
        description = "two"

    with pytest.raises(DuplicateName, match="'same' is registered twice"):
        Registry("action", (One, Two))


def test_unknown_names_say_what_they_are():
    with pytest.raises(KeyError, match="unknown action 'teleport'"):
        actions.registry["teleport"]
