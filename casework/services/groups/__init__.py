"""Group cases: many workers' cases against one agency or employer, worked together.

access.py      which groups an actor may open (their organisation's), and the members' cases
               each through the one case check (`case_access`)
operations.py  create a group, add and remove cases, close it: audited
notes.py       shared notes, sealed into each member case's timeline with that case's key
outcomes.py    a group outcome: one Outcome per member case, with that worker's amounts
page.py        the list of groups and a group's page: members, facts, notes
suggestions.py open cases of the viewer's that share an agency or employer (3 or more)
pack.py        the joint referral pack: only workers who agreed to a referral, names only with
               their consent to share identity with that forum; audited
"""
