"""Intake: a worker's complaint in, from the web form, the JSON API or demo data.

operations.py  lodge_complaint — the one entry point; stores case, identity, fees, evidence
complaint.py   parse_complaint / parse_message — the payload checked field by field
references.py  case references (short, unambiguous read aloud)
submissions.py idempotency receipts: a retried submission answers the first one's result
choices.py     the countries and currencies the form offers
"""
