"""Referrals: access-to-justice forums, proposals with the worker's consent, referral packs.

operations.py      propose, consent, send, follow a referral through
catalogue.py       the pathways and claim time limits, seeded from data/
pathways_admin.py  admins keep the pathways up to date
pack.py            the printable referral pack for a forum
"""
