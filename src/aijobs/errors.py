"""The suite's error types, in a module with no heavy imports so the CLI starts fast.

Every message says what was wrong, where (file, row, column, parameter or report) and what
would be right.
"""


class AijobsError(Exception):
    """The base of the suite's own errors: a message a user can act on, shown as one line
    (the CLI catches this base and exits 2)."""


class DataError(AijobsError, ValueError):
    """A table, sidecar or input file is wrong."""


class ParameterError(AijobsError, ValueError):
    """A notebook or function parameter is unknown, of the wrong type or out of range."""


class BuildError(AijobsError, RuntimeError):
    """The report configuration is wrong, or the build cannot run."""
