"""The staff directory: organisations and users, and how staff sign in.

operations.py  create and edit organisations and users (admins, CLI)
approvals.py   account changes by admins that wait for a supervisor of the organisation
staff_auth.py  passwords (argon2id), TOTP second factor
sessions.py    server-side staff sessions: open, resume (idle and absolute limits), end, list
page_language.py  the language of a staff member's own pages
"""
