"""What every group of the store's methods stands on: a few primitives over one connection, which the
Store class provides (so each group can be read, and type-checked, on its own)."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timezone
from typing import Any

__all__ = ["StoreBase", "now"]


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class StoreBase:
    path: str

    def transaction(self) -> AbstractContextManager[None]:  # pragma: no cover - provided by Store
        raise NotImplementedError

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:  # pragma: no cover
        raise NotImplementedError

    def _one(self, sql: str, params: Sequence[Any] = ()) -> Any:  # pragma: no cover
        raise NotImplementedError

    def _many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:  # pragma: no cover
        raise NotImplementedError

    def _run(self, sql: str, params: Sequence[Any] = ()) -> Any:  # pragma: no cover
        raise NotImplementedError

    @property
    def kb_version(self) -> int:  # pragma: no cover
        raise NotImplementedError

    def bump_kb_version(self) -> int:  # pragma: no cover
        raise NotImplementedError
