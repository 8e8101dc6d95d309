"""The domain: one package per feature, plain functions that own the rules and the transaction.

Each feature package names its files the same way:

- `operations.py` — the feature's entry points that change something: load → check → act,
  one commit at the end (an actor is passed in for the audit trail);
- other modules named for the one concept they hold (`access.py`, `deadlines.py`, `pack.py`);
- `data/` — facts that are data, not code (the referral catalogue's pathways and time limits).

Features: intake/ (a worker's complaint in), evidence/ (files in and out of the store),
followup/ (the worker comes back), casefile/ (the case as staff see and work it), assignments/
(who holds a case), escalation/ (deadlines, stall rules, the stalled scan), referrals/ (forums,
proposals, packs), notifications/ (in-app, digests, e-mail outbox), directory/ (organisations,
users, staff sign-in), keys/ (case keys, master-key rotation, retention), reports/ (outcome
figures).

Shared by all: errors.py (domain exceptions, never HTTP), validation.py (reading typed input
field by field), actors.py (who acts), audit.py (the hash-chained trail), runtime.py (key ring,
pepper and evidence store of the running app), demo_data.py (demo corridors and complaints).
Services never import blueprints and never raise HTTP errors.
"""
