"""Follow-up: the worker comes back with a reference and a secret, no account.

operations.py  open a case by reference and secret; status, messages, additions, consent
secret.py      the 16-digit secret: shown once, stored only as an argon2id hash
sessions.py    the follow-up session after sign-in: a cookie token, ended by the quick exit
"""
