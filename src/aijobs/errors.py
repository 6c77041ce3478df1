"""The suite's error types, in a module with no heavy imports so the CLI starts fast.

Every message says what was wrong, where (file, row, column, parameter or report) and what
would be right.
"""


class DataError(ValueError):
    """A table, sidecar or input file is wrong."""


class ParameterError(ValueError):
    """A notebook or function parameter is unknown, of the wrong type or out of range."""


class BuildError(RuntimeError):
    """The report configuration is wrong, or the build cannot run."""
