"""Referrals: access-to-justice forums, proposals with the worker's consent, referral packs.

operations.py      a caseworker proposes; consent, send, follow a referral through
proposals.py       which pathways fit a case; the rows a proposal writes (staff or scheduler)
changes.py         the case event, audit event and case activity every referral change leaves
catalogue.py       the pathways and claim time limits, seeded from data/
pathways_admin.py  admins keep the pathways up to date
pack.py            the printable referral pack for a forum
"""
