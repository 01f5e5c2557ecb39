"""Command-line entry points (console scripts and the thin wrappers in scripts/)."""

from __future__ import annotations

import sys

EXIT_INTERRUPTED = 130


def fail(message: str, code: int = 1) -> int:
    """One clear line on stderr, and the exit code to return."""
    print(f"error: {message}", file=sys.stderr)
    return code
