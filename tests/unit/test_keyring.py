"""The master key ring (casework/crypto/keyring.py).

Losing a master key loses every case wrapped by it; leaking one exposes them. So the file ring
must be private on disk, survive a restart unchanged, and keep every old key able to unwrap.
"""

from __future__ import annotations

import base64
import json
import multiprocessing
import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine

from casework.crypto import KeyRing, KeyRingError, new_data_key
from casework.crypto.keyring import KEYRING_FILE, generate_env_entry

AAD = b"case-key:CW-7K3M-92XD"


def b64(key: bytes, padded: bool = True) -> str:
    text = base64.urlsafe_b64encode(key).decode("ascii")
    return text if padded else text.rstrip("=")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def same_keys(first: KeyRing, second: KeyRing) -> bool:
    """Two rings hold the same keys if each unwraps what the other wrapped, under every id."""
    if first.key_ids != second.key_ids or first.current_id != second.current_id:
        return False
    probe = new_data_key()
    for key_id in first.key_ids:
        for a, b in ((first, second), (second, first)):
            saved, a.current_id = a.current_id, key_id
            try:
                wrapped_id, wrapped = a.wrap(probe, AAD)
            finally:
                a.current_id = saved
            try:
                if b.unwrap(wrapped_id, wrapped, AAD) != probe:
                    return False
            except KeyRingError:
                return False
    return True


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    """Even with umask 000 the key ring must not be readable by anyone else."""
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


# --- the file ring -------------------------------------------------------------------------


def test_first_run_creates_a_private_keys_folder_and_key_ring(
    tmp_path: Path, permissive_umask: None
) -> None:
    folder = tmp_path / "instance" / "keys"
    ring = KeyRing.load_or_create(folder)
    path = folder / KEYRING_FILE
    assert path.is_file()
    assert mode(folder) == 0o700
    assert mode(path) == 0o600
    assert ring.path == path
    assert ring.key_ids == [ring.current_id]
    assert ring.current_id.startswith("mk-")
    assert sorted(p.name for p in folder.iterdir()) == [KEYRING_FILE]  # no .tmp left behind
    document = json.loads(path.read_text(encoding="ascii"))
    assert document["current"] == ring.current_id
    assert set(document["keys"]) == {ring.current_id}


def test_reloading_the_key_ring_gives_the_same_keys(tmp_path: Path) -> None:
    created = KeyRing.load_or_create(tmp_path / "keys")
    reloaded = KeyRing.load_or_create(tmp_path / "keys")
    assert same_keys(created, reloaded)
    key_id, wrapped = created.wrap(b"k" * 32, AAD)
    assert reloaded.unwrap(key_id, wrapped, AAD) == b"k" * 32


def test_reloading_does_not_rewrite_the_key_ring(tmp_path: Path) -> None:
    KeyRing.load_or_create(tmp_path / "keys")
    path = tmp_path / "keys" / KEYRING_FILE
    before = path.read_bytes()
    KeyRing.load_or_create(tmp_path / "keys")
    assert path.read_bytes() == before


def test_two_instances_get_different_master_keys(tmp_path: Path) -> None:
    first = KeyRing.load_or_create(tmp_path / "one")
    second = KeyRing.load_or_create(tmp_path / "two")
    key_id, wrapped = first.wrap(new_data_key(), AAD)
    second_id, second_wrapped = second.wrap(new_data_key(), AAD)
    with pytest.raises(KeyRingError):
        second.unwrap(second_id, wrapped, AAD)
    with pytest.raises(KeyRingError):
        first.unwrap(key_id, second_wrapped, AAD)


def test_an_added_key_is_saved_with_mode_0600(tmp_path: Path, permissive_umask: None) -> None:
    ring = KeyRing.load_or_create(tmp_path / "keys")
    first_id = ring.current_id
    new_id = ring.add_key()
    ring.save()
    path = tmp_path / "keys" / KEYRING_FILE
    assert mode(path) == 0o600
    reloaded = KeyRing.load_or_create(tmp_path / "keys")
    assert reloaded.current_id == new_id
    assert reloaded.key_ids == [first_id, new_id]
    assert same_keys(ring, reloaded)
    assert sorted(p.name for p in path.parent.iterdir()) == [KEYRING_FILE]


def test_saving_tightens_a_key_ring_file_left_readable(tmp_path: Path) -> None:
    ring = KeyRing.load_or_create(tmp_path / "keys")
    path = tmp_path / "keys" / KEYRING_FILE
    path.chmod(0o644)
    ring.save()
    assert mode(path) == 0o600


@pytest.mark.parametrize(
    "content",
    [
        "",
        "not json",
        "[]",
        '{"keys": {}}',
        '{"current": "mk-1", "keys": {}}',
        '{"current": "mk-1", "keys": {"mk-1": "c2hvcnQ="}}',
        '{"current": "mk-1", "keys": {"mk-1": 12}}',
        '{"current": "mk-1", "keys": {"mk-1": "%%%%"}}',
    ],
    ids=[
        "empty",
        "not-json",
        "a-list",
        "no-current",
        "current-missing",
        "short-key",
        "key-not-text",
        "not-base64",
    ],
)
def test_a_damaged_key_ring_file_is_refused(tmp_path: Path, content: str) -> None:
    (tmp_path / KEYRING_FILE).write_text(content, encoding="ascii")
    with pytest.raises(KeyRingError):
        KeyRing.load_or_create(tmp_path)


def test_a_damaged_key_ring_file_is_never_replaced_by_a_new_one(tmp_path: Path) -> None:
    """Creating a fresh ring over a damaged one would silently lose every case."""
    path = tmp_path / KEYRING_FILE
    path.write_text("{", encoding="ascii")
    with pytest.raises(KeyRingError):
        KeyRing.load_or_create(tmp_path)
    assert path.read_text(encoding="ascii") == "{"


# --- the environment ring ------------------------------------------------------------------


def test_master_keys_from_the_environment_make_the_last_one_current() -> None:
    old, new = new_data_key(), new_data_key()
    ring = KeyRing.from_env_value(f"mk-old:{b64(old)},mk-new:{b64(new)}")
    assert ring.key_ids == ["mk-old", "mk-new"]
    assert ring.current_id == "mk-new"
    assert ring.path is None
    key_id, wrapped = ring.wrap(b"c" * 32, AAD)
    assert key_id == "mk-new"
    single = KeyRing.from_env_value(f"mk-new:{b64(new)}")
    assert single.unwrap(key_id, wrapped, AAD) == b"c" * 32


def test_environment_value_tolerates_spaces_trailing_commas_and_missing_padding() -> None:
    first, second = new_data_key(), new_data_key()
    value = f"  mk-a:{b64(first, padded=False)} , ,mk-b:{b64(second)},\n"
    ring = KeyRing.from_env_value(value)
    assert ring.key_ids == ["mk-a", "mk-b"]
    reference = KeyRing({"mk-a": first, "mk-b": second}, "mk-b")
    assert same_keys(ring, reference)


def test_a_generated_environment_entry_parses_back() -> None:
    entry = generate_env_entry()
    key_id, _, encoded = entry.partition(":")
    ring = KeyRing.from_env_value(entry)
    assert ring.key_ids == [key_id]
    assert len(base64.urlsafe_b64decode(encoded)) == 32
    assert generate_env_entry() != entry


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "empty"),
        (" , ,", "empty"),
        ("mk-1", "id:base64key"),
        (f":{b64(bytes(32))}", "id:base64key"),
        ("mk-1:", "256 bits"),
        (f"mk-1:{b64(bytes(16))}", "256 bits"),
        (f"mk-1:{b64(bytes(33))}", "256 bits"),
        ("mk-1:a", "base64"),
        ("mk-1:ключ", "base64"),
    ],
    ids=[
        "empty",
        "only-commas",
        "no-colon",
        "no-id",
        "no-key",
        "128-bit-key",
        "264-bit-key",
        "bad-padding",
        "not-ascii",
    ],
)
def test_a_malformed_environment_value_is_refused(value: str, message: str) -> None:
    with pytest.raises(KeyRingError, match=message):
        KeyRing.from_env_value(value)


def test_an_environment_value_naming_one_id_twice_is_refused() -> None:
    """Otherwise the later key silently replaces the earlier one, and every case key wrapped by
    the earlier one becomes unreadable."""
    value = f"mk-1:{b64(new_data_key())},mk-1:{b64(new_data_key())}"
    with pytest.raises(KeyRingError, match="mk-1"):
        KeyRing.from_env_value(value)


def test_an_environment_ring_cannot_be_saved() -> None:
    ring = KeyRing.from_env_value(generate_env_entry())
    with pytest.raises(KeyRingError, match="environment"):
        ring.save()


# --- use -----------------------------------------------------------------------------------


def test_a_case_key_wrapped_by_an_old_master_key_still_unwraps_after_add_key(
    tmp_path: Path,
) -> None:
    ring = KeyRing.load_or_create(tmp_path / "keys")
    case_key = new_data_key()
    old_id, wrapped = ring.wrap(case_key, AAD)
    new_id = ring.add_key()
    assert new_id != old_id
    assert ring.current_id == new_id
    assert ring.unwrap(old_id, wrapped, AAD) == case_key
    rewrapped_id, rewrapped = ring.wrap(case_key, AAD)
    assert rewrapped_id == new_id
    assert ring.unwrap(new_id, rewrapped, AAD) == case_key
    # The id matters: the new key cannot open what the old one wrapped.
    with pytest.raises(KeyRingError, match="cannot unwrap"):
        ring.unwrap(new_id, wrapped, AAD)


def test_add_key_never_reuses_an_id(tmp_path: Path) -> None:
    ring = KeyRing({"mk-0": new_data_key()}, "mk-0")
    ids = {ring.add_key() for _ in range(50)}
    assert len(ids) == 50
    assert len(ring.key_ids) == 51


def test_a_key_wrapped_under_an_unknown_master_key_id_is_refused() -> None:
    ring = KeyRing.from_env_value(generate_env_entry())
    _, wrapped = ring.wrap(new_data_key(), AAD)
    with pytest.raises(KeyRingError, match="not in the key ring"):
        ring.unwrap("mk-retired", wrapped, AAD)


def test_a_wrapped_key_for_another_case_is_refused() -> None:
    ring = KeyRing.from_env_value(generate_env_entry())
    key_id, wrapped = ring.wrap(new_data_key(), AAD)
    with pytest.raises(KeyRingError, match="cannot unwrap"):
        ring.unwrap(key_id, wrapped, b"case-key:CW-AAAA-BBBB")


def test_a_ring_whose_current_key_is_missing_is_refused() -> None:
    with pytest.raises(KeyRingError, match="current"):
        KeyRing({"mk-1": new_data_key()}, "mk-2")


def test_a_ring_with_a_short_master_key_is_refused() -> None:
    with pytest.raises(KeyRingError, match="256 bits"):
        KeyRing({"mk-1": new_data_key(), "mk-2": bytes(16)}, "mk-1")


# --- epochs, locking and reloading (issue 12.1b, 6b, 6c) --------------------------------------


def test_the_file_ring_records_when_each_key_was_created_and_retired(tmp_path: Path) -> None:
    first_day = datetime(2026, 1, 1, tzinfo=UTC)
    with time_machine.travel(first_day, tick=False):
        ring = KeyRing.load_or_create(tmp_path / "keys")
    first = ring.current_id
    second = ring.add_key(first_day + timedelta(days=30))
    ring.save()
    reloaded = KeyRing.load(tmp_path / "keys")
    assert reloaded.created_at(first) == first_day
    assert reloaded.created_at(second) == first_day + timedelta(days=30)
    assert reloaded.retired_at(first) == first_day + timedelta(days=30)
    assert reloaded.retired_at(second) is None  # current
    document = json.loads((tmp_path / "keys" / KEYRING_FILE).read_text(encoding="ascii"))
    assert set(document["created"]) == {first, second}


def test_a_ring_file_without_creation_times_still_opens(tmp_path: Path) -> None:
    """Rings written before epochs existed: the keys load, their epochs are unknown."""
    key = new_data_key()
    (tmp_path / KEYRING_FILE).write_text(
        json.dumps({"current": "mk-1", "keys": {"mk-1": b64(key)}}), encoding="ascii"
    )
    ring = KeyRing.load(tmp_path)
    assert ring.key_ids == ["mk-1"] and ring.created_at("mk-1") is None


def test_destroying_a_key_forgets_it_but_never_the_current_one(tmp_path: Path) -> None:
    ring = KeyRing.load_or_create(tmp_path / "keys")
    old = ring.current_id
    _, wrapped = ring.wrap(new_data_key(), AAD)
    ring.add_key()
    with pytest.raises(KeyRingError, match="current"):
        ring.destroy_key(ring.current_id)
    ring.destroy_key(old)
    ring.save()
    reloaded = KeyRing.load(tmp_path / "keys")
    assert old not in reloaded.key_ids
    with pytest.raises(KeyRingError, match="not in the key ring"):
        reloaded.unwrap(old, wrapped, AAD)


def test_saving_keeps_fields_of_the_file_it_does_not_know(tmp_path: Path) -> None:
    ring = KeyRing.load_or_create(tmp_path / "keys")
    path = tmp_path / "keys" / KEYRING_FILE
    document = json.loads(path.read_text(encoding="ascii"))
    path.write_text(json.dumps({**document, "note": "kept"}), encoding="ascii")
    with ring.locked():
        ring.add_key()
        ring.save()
    assert json.loads(path.read_text(encoding="ascii"))["note"] == "kept"


def test_a_process_holding_the_ring_rereads_it_when_the_file_changes(tmp_path: Path) -> None:
    holder = KeyRing.load_or_create(tmp_path / "keys")
    assert holder.reload_if_changed() is False  # nothing changed: one stat, no read
    other = KeyRing.load(tmp_path / "keys")
    with other.locked():
        new_id = other.add_key()
        other.save()
    _, wrapped = other.wrap(b"n" * 32, AAD)
    assert holder.current_id != new_id
    assert holder.reload_if_changed() is True
    assert holder.current_id == new_id
    assert holder.unwrap(new_id, wrapped, AAD) == b"n" * 32


def test_an_unknown_key_id_makes_the_ring_reread_its_file(tmp_path: Path) -> None:
    holder = KeyRing.load_or_create(tmp_path / "keys")
    other = KeyRing.load(tmp_path / "keys")
    with other.locked():
        new_id = other.add_key()
        other.save()
    _, wrapped = other.wrap(b"u" * 32, AAD)
    assert holder.unwrap(new_id, wrapped, AAD) == b"u" * 32


def _add_keys(folder: str, count: int, start: Any) -> None:
    ring = KeyRing.load(Path(folder))  # read before the others write: a stale copy
    start.wait()
    for _ in range(count):
        with ring.locked():
            ring.add_key()
            ring.save()


def test_processes_adding_keys_at_once_lose_none(tmp_path: Path) -> None:
    folder = tmp_path / "keys"
    first = KeyRing.load_or_create(folder).current_id
    context = multiprocessing.get_context("fork")
    start = context.Event()
    workers = [context.Process(target=_add_keys, args=(str(folder), 10, start)) for _ in range(4)]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    ring = KeyRing.load(folder)
    assert len(ring.key_ids) == 41 and ring.key_ids[0] == first
    assert sorted(p.name for p in folder.iterdir()) == [KEYRING_FILE]  # no temporary left
