"""Keys: per-case keys, master-key rotation, and retention that destroys keys.

case_keys.py   each case's random key, wrapped by a master key; sealing fields
rotation.py    add a master key and re-wrap every case key (blobs untouched)
retention.py   crypto-shred closed cases after the retention period
"""
