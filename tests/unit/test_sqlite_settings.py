"""Every SQLite connection the app opens gets its settings: write-ahead log, foreign keys, a
busy timeout, and reads through a memory map."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import text

from casework.extensions import db
from tests.conftest import ON_POSTGRES


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's connection settings")
def test_each_connection_reads_through_a_memory_map_in_wal_mode(app: Flask) -> None:
    with db.engine.connect() as first, db.engine.connect() as second:
        for connection in (first, second):
            assert connection.scalar(text("PRAGMA journal_mode")) == "wal"
            assert connection.scalar(text("PRAGMA foreign_keys")) == 1
            assert connection.scalar(text("PRAGMA busy_timeout")) == 5000
            assert connection.scalar(text("PRAGMA mmap_size")) > 0
