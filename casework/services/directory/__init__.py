"""The staff directory: organisations and users, and how staff sign in.

operations.py  create and edit organisations and users (admins, CLI)
staff_auth.py  passwords (argon2id), TOTP second factor, session versions
"""
