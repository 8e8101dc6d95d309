"""Keys: per-case keys, master-key rotation, and retention that destroys keys.

case_keys.py   each case's random key, wrapped by a master key; sealing fields
event_seals.py re-sealing timeline bodies sealed before they were bound to their event
rotation.py    add a master key and re-wrap every case key (blobs untouched)
retention.py   crypto-shred closed cases after the retention period
erasure.py     after a purge: checkpoint the SQLite WAL / vacuum PostgreSQL's dead row versions
epochs.py      the "keys" job: new master key monthly and after purges; destroy expired keys
inventory.py   which master key ids the database still needs
loading.py     open the key ring and pepper at start-up; refuse to invent them over data
"""
