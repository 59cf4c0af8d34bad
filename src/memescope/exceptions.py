"""One exception hierarchy for memescope; the CLI maps each to a clean message and exit code."""

from __future__ import annotations

__all__ = [
    "MemescopeError",
    "UnknownNameError",
    "NotInstalledError",
    "BadImageError",
    "IngestError",
    "StoreError",
    "TemplateError",
]


class MemescopeError(Exception):
    """Base class: anything memescope raises on purpose."""

    exit_code = 1


class UnknownNameError(MemescopeError, KeyError):
    """A registry was asked for a name it does not hold."""

    exit_code = 2

    def __init__(self, kind: str, name: str, known: list[str]):
        self.kind, self.name, self.known = kind, name, known
        super().__init__(f"unknown {kind} {name!r}; known: {', '.join(sorted(known)) or '(none)'}")

    def __str__(self) -> str:  # KeyError would quote the whole message
        return self.args[0]


class NotInstalledError(MemescopeError, ImportError):
    """An optional dependency is missing; the message says what to install."""

    exit_code = 3

    def __init__(self, what: str, extra: str, package: str | None = None):
        pkg = package or what
        super().__init__(f"{what} is not installed: pip install 'memescope[{extra}]' (or pip install {pkg})")


class BadImageError(MemescopeError):
    """An image could not be used. `reason` is a short, stable tag recorded in the errors table."""

    def __init__(self, reason: str, detail: str = ""):
        self.reason, self.detail = reason, detail
        super().__init__(f"{reason}: {detail}" if detail else reason)


class IngestError(MemescopeError):
    """A corpus source cannot be read at all (as opposed to one bad item, which is recorded)."""


class StoreError(MemescopeError):
    """The store cannot be opened or is of an unsupported kind or version."""


class TemplateError(MemescopeError):
    """A template operation failed (no usable reference image, unknown template...)."""
