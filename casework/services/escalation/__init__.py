"""Escalation: deadlines, stall rules and the stalled scan that pushes a case toward a remedy.

deadlines.py     each open case's next deadline and claim deadline, kept on every change
stall_rules.py   the default stall rules (seeded, then admins' own)
rules_admin.py   admins edit stall and limitation rules
scan.py          scan_stalled_cases: flag, escalate, propose a referral (the "stalled" job)
batch_writes.py  the scan's writes for a whole batch, one statement per table
bulk_insert.py   COPY on PostgreSQL, executemany on SQLite
lease.py         one scheduler leader through a database lease
"""
