"""Evidence: uploaded files checked, encrypted under their case's key, stored, read back.

operations.py  store and read evidence blobs (file keys wrapped by the case key)
media_types.py a file's type from its first bytes, never from its name
cleanup.py     what a failed or interrupted request left in the store
"""
