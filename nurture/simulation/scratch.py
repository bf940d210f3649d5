"""The simulator's throwaway SQLite database: one engine per process, a fresh file per run.

SQLAlchemy compiles each statement once per engine, so a process that simulates again (``--check``
on a folder, the tests, the bench) keeps its engine and gets a fresh database by copying the
empty schema's bytes over the file, instead of building the schema and compiling every
statement anew. The file never waits for the disk (store/db.py's ``throwaway``): nobody keeps
it, and a crash loses nothing anyone wanted.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from nurture.store.db import checkpoint, make_engine
from nurture.store.models import Base


@dataclass(frozen=True)
class _Scratch:
    folder: Path
    engine: Engine
    empty: bytes
    """The database file with the schema and no rows."""

    @property
    def path(self) -> Path:
        return self.folder / "simulation.db"


_lock = threading.Lock()
_scratch: list[_Scratch] = []


@contextmanager
def throwaway() -> Iterator[tuple[Engine, Path]]:
    """The engine on an empty database, and a folder for the run's files; one run at a time."""
    with _lock:
        scratch = _scratch[0] if _scratch else _create()
        _reset(scratch)
        try:
            yield scratch.engine, scratch.folder
        finally:
            scratch.engine.dispose()


def _create() -> _Scratch:
    folder = Path(tempfile.mkdtemp(prefix="nurture-simulate-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / "simulation.db"
    engine = make_engine(f"sqlite:///{path}", throwaway=True)
    Base.metadata.create_all(engine)
    checkpoint(engine)
    engine.dispose()
    _scratch.append(_Scratch(folder, engine, path.read_bytes()))
    return _scratch[0]


def _reset(scratch: _Scratch) -> None:
    scratch.engine.dispose()
    for leftover in ("simulation.db-wal", "simulation.db-shm"):
        (scratch.folder / leftover).unlink(missing_ok=True)
    scratch.path.write_bytes(scratch.empty)
    shutil.rmtree(scratch.folder / "outbox", ignore_errors=True)
