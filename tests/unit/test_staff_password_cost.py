"""Staff passwords are hashed at argon2's recommended cost in production; only the test suite
lowers it, through the configuration."""

from __future__ import annotations

from pathlib import Path

from argon2 import PasswordHasher, extract_parameters
from flask import Flask

from casework.config import build_config
from casework.services.directory.staff_auth import hash_password


def test_production_configuration_keeps_the_recommended_cost(tmp_path: Path) -> None:
    config = build_config(str(tmp_path))
    assert config["PASSWORD_HASH_TIME_COST"] is None and config["PASSWORD_HASH_MEMORY_KIB"] is None
    recommended = PasswordHasher()
    stored = extract_parameters(hash_password("a long enough password"))  # no app: defaults
    assert (stored.time_cost, stored.memory_cost) == (
        recommended.time_cost,
        recommended.memory_cost,
    )


def test_the_suite_lowers_the_cost_through_the_configuration(app: Flask) -> None:
    stored = extract_parameters(hash_password("a long enough password"))
    assert (stored.time_cost, stored.memory_cost) == (1, 1024)
