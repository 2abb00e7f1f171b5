"""Errors meant for the person running ripple: one line, no traceback; and what a quarantined row keeps."""

MAX_RAW_CHARS = 10_000  # raw content kept per quarantined row or file (ops.quarantine.raw_record)


class RippleError(Exception):
    """A problem the user can act on; the CLI prints it as `ripple: <message>` and exits 1."""


class SourceUnavailable(RippleError):
    """The source database could not be read (down, restarting, unreachable): trying again
    later may succeed, unlike a wrong URL or declaration (orchestration retries only this)."""


class FileRejected(Exception):
    """A landed file cannot be loaded at all (not CSV, not JSON, clashing column names...): the
    file becomes one quarantine row with this reason, and the other files of the batch load."""
