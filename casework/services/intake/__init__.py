"""Intake: a worker's complaint in, from the web form, the JSON API or demo data.

operations.py  lodge_complaint — the one entry point; stores case, identity, fees, evidence
admission.py   the lodging slots: a few complaints lodged at once per process, the rest wait
complaint.py   parse_complaint / parse_message — the payload checked field by field
references.py  case references (short, unambiguous read aloud)
submissions.py idempotency receipts: a retried submission answers the first one's result
choices.py     the countries and currencies the form offers
plausibility.py unusual answers (a future date, interest over 100 %) the web form asks about
web_form.py    the web form's complaint, lodged with the files held across its re-renders
steps.py       the complaint one thing per page: each step's answers, errors and warnings
drafts.py      the steps' answers between pages, sealed under a key only the browser holds
"""
