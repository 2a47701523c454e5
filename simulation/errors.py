"""Errors raised for bad user input, caught by the command line to print one line."""


class ScenarioError(ValueError):
    """A scenario, override or sweep specification is invalid; the message says why."""


#: Exit status of a command refused for bad input (argparse's own status for usage errors).
EXIT_BAD_INPUT = 2
