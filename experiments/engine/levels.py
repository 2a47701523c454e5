"""The levels a design may give a parameter: a value reaches the model exactly as the
design gives it, so a value that would need a coercion (a fraction for an integer, a
number for true/false, a range over either) is refused, naming what to write instead."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aimarket.simulation.errors import ScenarioError

if TYPE_CHECKING:
    from aimarket.experiments.engine.uncertainty import Uncertainty


class Unset:
    """A parameter the base scenario leaves unset, and a value of its type."""

    def __init__(self, like: Any) -> None:
        self.like = like


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, str):
        return "string"
    return "number" if isinstance(value, float) else ""


def _a(kind: str) -> str:
    return kind if kind.startswith("an ") else f"a {kind}"


def check_level(u: Uncertainty, path: str, current: Any, x: Any) -> None:
    """Refuse a design value that the model would receive only after a coercion: a
    fraction, a number or a string for a true/false, integer or named (string) parameter,
    or a scale/shift of one. Such parameters are discrete factors: list their levels."""
    who = f"uncertainty '{u.name}'"
    if isinstance(current, Unset) and u.mode != "set":
        raise ScenarioError(f"{who}: '{path}' has no base value to {u.mode}; use mode 'set'")
    kind = _kind(current.like if isinstance(current, Unset) else current)
    number = isinstance(x, int | float) and not isinstance(x, bool)
    if kind == "number" and not number:
        raise ScenarioError(f"{who}: value {x!r} for '{path}' is not a number")
    if kind in ("number", ""):
        return
    levels = "values = [false, true] (a two-level factor)" if kind == "true/false" else (
        "its levels as a list of values (a discrete factor)"
    )  # fmt: skip
    if u.mode != "set" and kind != "an integer":
        raise ScenarioError(
            f"{who}: '{path}' is {_a(kind)} parameter and cannot be scaled or shifted; "
            f"use mode 'set' with {levels}"
        )
    if u.lo is not None:
        raise ScenarioError(
            f"{who}: '{path}' is {_a(kind)} parameter, so a range lo..hi would be rounded; "
            f"give {levels}"
        )
    ok = {
        "true/false": isinstance(x, bool),
        "an integer": number and isinstance(x, int),
        "string": isinstance(x, str),
    }[kind]
    if not ok:
        raise ScenarioError(
            f"{who}: value {x!r} for '{path}' is not {_a(kind)} (the parameter's type); "
            f"give {levels}"
        )
