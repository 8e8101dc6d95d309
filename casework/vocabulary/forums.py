"""Access-to-justice forum kinds (DOMAIN.md), referral statuses and short abuse labels.

Staff see `FORUM_KINDS`; the worker sees `FORUM_KINDS_FOR_WORKER`, the same places in plain
words. Abuse labels here are short names for a forum reading a referral pack (the worker's form
asks the same things as questions, in `abuse.py`).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ORIGIN_SIDE = "ORIG_"
DESTINATION_SIDE = "DEST_"

FORUM_KINDS = {
    "ORIG_REGULATOR": _l("Foreign-employment department or ministry (home country)"),
    "ORIG_TRIBUNAL": _l("Foreign employment tribunal or labour commission (home country)"),
    "ORIG_POLICE": _l("Police (home country)"),
    "ORIG_WELFARE_FUND": _l("Migrant workers' welfare fund (home country)"),
    "ORIG_LEGAL_AID": _l("Legal aid (home country)"),
    "ORIG_NHRI": _l("National human rights commission (home country)"),
    "DEST_CONCILIATION": _l("Labour ministry conciliation (country of work)"),
    "DEST_LABOUR_COURT": _l("Labour court, tribunal or dispute committee (country of work)"),
    "DEST_AGENCY_REGULATOR": _l("Recruitment agency regulator (country of work)"),
    "DEST_INSPECTION": _l("Labour inspection (country of work)"),
    "DEST_EMBASSY": _l("Embassy or labour attaché of the home country"),
    "DEST_SHELTER": _l("Shelter (country of work)"),
    "DEST_POLICE": _l("Police, anti-trafficking unit (country of work)"),
    "DEST_NHRI": _l("National human rights commission (country of work)"),
    "UNION": _l("Trade union"),
    "NGO": _l("Non-governmental organisation"),
    "BRAND_GRIEVANCE": _l("A buyer company's grievance mechanism"),
}

# What a worker reads before agreeing: who the authority is, in everyday words.
FORUM_KINDS_FOR_WORKER = {
    "ORIG_REGULATOR": _l("the government office for work abroad in your home country"),
    "ORIG_TRIBUNAL": _l("a court for work-abroad cases in your home country"),
    "ORIG_POLICE": _l("the police in your home country"),
    "ORIG_WELFARE_FUND": _l("the welfare fund for migrant workers in your home country"),
    "ORIG_LEGAL_AID": _l("free legal help in your home country"),
    "ORIG_NHRI": _l("the human rights commission in your home country"),
    "DEST_CONCILIATION": _l("the labour office in the country where you work"),
    "DEST_LABOUR_COURT": _l("the labour court in the country where you work"),
    "DEST_AGENCY_REGULATOR": _l(
        "the office that controls job agencies in the country where you work"
    ),
    "DEST_INSPECTION": _l("the labour inspectors in the country where you work"),
    "DEST_EMBASSY": _l("your country's embassy"),
    "DEST_SHELTER": _l("a safe shelter in the country where you work"),
    "DEST_POLICE": _l("the police in the country where you work"),
    "DEST_NHRI": _l("the human rights commission in the country where you work"),
    "UNION": _l("a workers' union"),
    "NGO": _l("an organisation that helps migrant workers"),
    "BRAND_GRIEVANCE": _l("the company that buys from your employer"),
}

# What each place does for a worker, in one short sentence the worker reads before agreeing.
FORUM_DOES_FOR_WORKER = {
    "ORIG_REGULATOR": _l(
        "It gives licences to job agencies. It can punish an agency and order it to pay you back."
    ),
    "ORIG_TRIBUNAL": _l(
        "It decides cases against job agencies. It can order the agency to pay you back."
    ),
    "ORIG_POLICE": _l("They can arrest people who cheat workers and take them to court."),
    "ORIG_WELFARE_FUND": _l(
        "It can give money to workers and families who were hurt, cheated or sent home."
    ),
    "ORIG_LEGAL_AID": _l("A lawyer can advise you and go to court for you, free of charge."),
    "ORIG_NHRI": _l("It looks into abuse of people's rights and can tell the government to act."),
    "DEST_CONCILIATION": _l(
        "They call you and your employer to a meeting to agree on what you are owed."
    ),
    "DEST_LABOUR_COURT": _l(
        "A judge hears you and your employer and decides what you must be paid."
    ),
    "DEST_AGENCY_REGULATOR": _l(
        "It gives licences to job agencies. It can punish an agency that broke the rules."
    ),
    "DEST_INSPECTION": _l(
        "They visit workplaces, check wages and conditions, and can fine the employer."
    ),
    "DEST_EMBASSY": _l(
        "They help their citizens: papers, a safe place, talks with the employer, the way home."
    ),
    "DEST_SHELTER": _l("A safe place to stay, with food and help, while your case goes on."),
    "DEST_POLICE": _l("They can stop people who trap or traffic workers and keep you safe."),
    "DEST_NHRI": _l("It looks into abuse of people's rights and can tell the government to act."),
    "UNION": _l("Workers who stand together. They can speak for you to the employer."),
    "NGO": _l("People who help migrant workers with advice and support, free of charge."),
    "BRAND_GRIEVANCE": _l(
        "The company that buys from your employer can make your employer put things right."
    ),
}

REFERRAL_STATUS_LABELS = {
    "proposed": _l("Proposed"),
    "consented": _l("Worker agreed"),
    "sent": _l("Sent"),
    "acknowledged": _l("Acknowledged by the forum"),
    "hearing": _l("Hearing"),
    "decided": _l("Decided"),
    "closed": _l("Closed"),
    "declined_by_worker": _l("Worker said no"),
}

ABUSE_LABELS = {
    "FL_VULN": _l("Abuse of vulnerability"),
    "FL_DECEPTION": _l("Deception"),
    "FL_MOVEMENT": _l("Restriction of movement"),
    "FL_ISOLATION": _l("Isolation"),
    "FL_VIOLENCE": _l("Physical or sexual violence"),
    "FL_THREATS": _l("Intimidation and threats"),
    "FL_DOCS": _l("Retention of identity documents"),
    "FL_WAGES": _l("Withholding of wages"),
    "FL_DEBT": _l("Debt bondage"),
    "FL_CONDITIONS": _l("Abusive working and living conditions"),
    "FL_OVERTIME": _l("Excessive overtime"),
    "RA_FEES": _l("Recruitment fees or costs charged to the worker"),
    "RA_CONTRACT_SUB": _l("Contract substitution (different job or wage than promised)"),
    "RA_NO_JOB": _l("Fake job offer or never deployed"),
    "RA_UNLICENSED": _l("Unlicensed agent or broker"),
    "RA_NO_CONTRACT": _l("No written contract, or not in a language the worker reads"),
    "RA_DEDUCTIONS": _l("Illegal wage deductions"),
    "RA_DEPOSIT": _l("Deposit, bond or collateral demanded"),
    "RA_ABSCONDING": _l("False absconding charge"),
    "RA_STRANDED": _l("Stranded, exit denied"),
    "RA_DEATH_INJURY": _l("Death or injury"),
    "RA_TRAFFICKING": _l("Suspected trafficking"),
    "RA_DATA_MISUSE": _l("Misuse of personal data"),
}


def is_destination_side(forum_kind: str) -> bool:
    return forum_kind.startswith(DESTINATION_SIDE)


def is_origin_side(forum_kind: str) -> bool:
    return forum_kind.startswith(ORIGIN_SIDE)
