"""The case file: a case as a staff member may see it and work it.

access.py      who may see a case — the one check every case load goes through (load_case)
page.py        case_page: everything the case page shows an actor, and what they may do
reading.py     audited reads of identity, story, evidence and the timeline
describe.py    the timeline in plain words: names for people and organisations, labels for codes
case_time.py   open flags, the next deadline and every claim deadline, with days left
messages.py    internal notes and messages to the worker
lifecycle.py   the table of allowed status changes and who may make them
outcomes.py    recording what a case achieved
queues.py      caseworker queues: tabs, filters, sorting, pagination, counts
recruitment_cost.py  fee totals and SDG 10.7.1 for one worker
"""
