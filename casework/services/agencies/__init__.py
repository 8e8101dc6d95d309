"""Agencies accountable: governments' licensed-agency lists per country, and complaints'
agencies matched to them.

normalise.py        licence numbers across scripts and punctuation, names, status words, dates
lists.py            reading a list (CSV or XLSX, a header row, a column map) into rows or errors
registry_import.py  applying a list to a country's registry: updates, status history, re-match
matching.py         licence number, taught alias, or fuzzy candidates (rapidfuzz) for an agency
status.py           an entry's status on a given day, from its history
panel.py            the case page's agency panel: the entry, status then and today, warnings
merge.py            names as complaints write them: link one to a list, merge several (audited)
decisions.py        confirm / reject a candidate, undo a link, accept RA_UNLICENSED (audited)
entries.py          the admin pages: registries at a glance, finding and editing an entry
registry_search.py  finding entries by licence number, part of a name or a misspelt name
suggestions.py      the worker's form: the origin country's entries as the worker types
agency_file.py      the staff agency page: registry facts, history, and the viewer's cases
demo_lists.py       the synthetic lists `flask demo load` imports (invented agencies)
public_check.py     the public licence check: a list's public facts only, never complaints
"""
