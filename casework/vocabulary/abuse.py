"""Abuse categories, asked as plain questions on the worker's form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# code -> the question a worker answers "yes" to. Order is the order on the form.
ABUSE_QUESTIONS = {
    "RA_FEES": _l("Did you pay money to get this job (to an agent, broker or anyone else)?"),
    "RA_CONTRACT_SUB": _l("Is the job or the wage different from what you were promised?"),
    "RA_NO_JOB": _l("Did you pay for a job that did not exist, or were you never sent?"),
    "RA_UNLICENSED": _l("Was the agent or broker working without a licence?"),
    "RA_NO_CONTRACT": _l("Did you get no written contract, or one in a language you cannot read?"),
    "FL_WAGES": _l("Has your employer not paid your wages, or paid them late?"),
    "RA_DEDUCTIONS": _l("Is money taken from your wages that you did not agree to?"),
    "FL_DOCS": _l("Has someone taken your passport or ID and not given it back?"),
    "FL_DEBT": _l("Do you owe a debt for this job that you cannot pay back?"),
    "RA_DEPOSIT": _l("Did you have to give a deposit, bond or guarantee?"),
    "FL_DECEPTION": _l("Were you lied to about the job, the pay or the place?"),
    "FL_MOVEMENT": _l("Are you not allowed to leave your workplace or home freely?"),
    "FL_ISOLATION": _l("Are you kept away from other people, or from your phone?"),
    "FL_THREATS": _l("Have you been threatened or frightened?"),
    "FL_VIOLENCE": _l("Have you been hit, hurt or sexually abused?"),
    "FL_CONDITIONS": _l("Are your working or living conditions very bad or unsafe?"),
    "FL_OVERTIME": _l("Are you made to work very long hours or without rest days?"),
    "FL_VULN": _l("Did someone take advantage of your situation (debt, illness, no papers)?"),
    "RA_ABSCONDING": _l("Did your employer falsely report you as having run away?"),
    "RA_STRANDED": _l("Are you stuck, or not allowed to go home?"),
    "RA_DEATH_INJURY": _l("Were you or a co-worker injured, or did someone die?"),
    "RA_TRAFFICKING": _l("Do you think you were trafficked (moved and forced to work)?"),
    "RA_DATA_MISUSE": _l("Was your personal information misused?"),
}

ABUSE_CODES = frozenset(ABUSE_QUESTIONS)
