"""Evidence: uploaded files checked, encrypted under their case's key, stored, read back.

operations.py  store and read evidence blobs (file keys wrapped by the case key)
media_types.py a file's type from its first bytes, never from its name
staged.py      staged blobs published when their rows commit, abandoned on rollback
cleanup.py     what a failed or interrupted request left in the store (minutes, not hours)
held.py        files chosen on the complaint form, held (encrypted) while the form is shown again
previews.py    a file as the browser shows it, metadata stripped, made on the fly, never stored
metadata.py    stripping EXIF/GPS, text chunks, ID3, Ogg comments, MP4 user data, by format
rehome.py      moving a file to another case (a merge): file key re-wrapped, blob untouched
"""
