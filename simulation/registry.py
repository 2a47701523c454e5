"""Registries: named records of one kind (release policies, shock kinds, metrics).

A registry maps a name to one record that declares everything about the thing: its
parameters, its behaviour, its unit and label. Validation, data collection and the
generated documentation read the registry, so adding a policy, a shock or a metric is
one module that registers its record (and a test). Built-in records live in a package
whose modules are all imported when the registry is first asked for them
(:meth:`Registry.load`), so a new module needs no edit anywhere else; records from
outside the package are added by calling :meth:`Registry.add` before use.
"""

from __future__ import annotations

import difflib
import importlib
import pkgutil
from collections.abc import Iterator
from typing import Any, Generic, TypeVar

from aimarket.simulation.errors import ScenarioError

T = TypeVar("T")


class Registry(Generic[T]):
    """Records by name, in the order they were added."""

    def __init__(self, what: str, package: str | None = None):
        self.what = what  # "release policy", "shock kind", ...
        self.package = package  # built-in records: every module of this package
        self._items: dict[str, T] = {}
        self._retired: dict[str, str] = {}  # removed names -> what replaces them
        self._loaded = package is None

    def load(self) -> None:
        """Import the built-in package's modules once; each registers its records."""
        if self._loaded:
            return
        self._loaded = True
        module = importlib.import_module(self.package)
        for info in pkgutil.iter_modules(module.__path__):
            if not info.name.startswith("_"):
                importlib.import_module(f"{self.package}.{info.name}")

    def add(self, record: T) -> T:
        """Register ``record`` under its ``name``; a name may be taken once. Usable as a
        class decorator."""
        name = record.name
        if name in self._items and self._items[name] is not record:
            raise ValueError(f"a {self.what} named {name!r} is already registered")
        self._items[name] = record
        return record

    def remove(self, name: str) -> None:
        """Take a record out again (for tests that register toy records)."""
        self._items.pop(name, None)

    def __getitem__(self, name: str) -> T:
        self.load()
        try:
            return self._items[name]
        except KeyError:
            raise ScenarioError(self.unknown(name)) from None

    def retire(self, name: str, replacement: str) -> None:
        """A name that was removed: asking for it says what replaces it."""
        self._retired[name] = replacement

    def retired(self, name: str) -> bool:
        """Whether ``name`` was a record's name that has been retired."""
        return isinstance(name, str) and name in self._retired

    def unknown(self, name: Any) -> str:
        if isinstance(name, str) and name in self._retired:
            return f"{self.what} {name!r} was retired: {self._retired[name]} (CHANGELOG.md)"
        close = difflib.get_close_matches(str(name), list(self._items), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        article = "an" if self.what[:1] in "aeiou" else "a"
        return (
            f"{name!r} is not {article} {self.what}{hint} "
            f"(choose one of: {', '.join(self.names())})"
        )

    def __contains__(self, name: object) -> bool:
        self.load()
        return name in self._items

    def __iter__(self) -> Iterator[T]:
        self.load()
        return iter(list(self._items.values()))

    def __len__(self) -> int:
        self.load()
        return len(self._items)

    def names(self) -> list[str]:
        self.load()
        return list(self._items)
