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
search.py      the queue's search fields: a query string read and checked, then SQL conditions
time_budget.py a search's count (and SQLite's walk along the order's index) within a time budget
saved_views.py a staff member's named searches, theirs alone
bulk.py        supervisors' bulk reassign / transfer / status change, case by case through
               the one permission check and the single-case services
recruitment_cost.py  fee totals and SDG 10.7.1 for one worker
staff_evidence.py  files staff add on the case page (encrypted like the worker's, audited)
facts.py       editing the structured facts with the optimistic lock, audited before and after
links.py       duplicate cases linked and merged; where a merged case's follow-up goes
reminders.py   "follow up on 12 March": per case and user, due lists and counts
replies.py     reply templates per language (admins keep them, caseworkers start from them)
"""
