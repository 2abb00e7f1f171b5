"""Errors meant for the person running ripple: one line, no traceback."""


class RippleError(Exception):
    """A problem the user can act on; the CLI prints it as `ripple: <message>` and exits 1."""
