"""Errors raised for bad user input, caught by the command line to print one line."""


class ScenarioError(ValueError):
    """A scenario, override or sweep specification is invalid; the message says why."""
