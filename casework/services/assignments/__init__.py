"""Assignments: which organisation and caseworker hold a case.

routing.py     who is offered a new case (country, consent, language, load)
operations.py  accept, decline, reassign, transfer, assign from triage
"""
