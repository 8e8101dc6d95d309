"""Fee and cost categories (ILO definition of recruitment fees and related costs), payees, channels."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

FEE_CATEGORIES = {
    "FEE_AGENT": _l("Agent, broker or agency fee (for the job or the visa)"),
    "FEE_EMPLOYER": _l("Payment to the employer or company"),
    "FEE_RECOVERY": _l("Deductions from wages to repay recruitment costs"),
    "COST_MEDICAL": _l("Medical examination, tests, vaccinations"),
    "COST_INSURANCE": _l("Insurance or welfare fund"),
    "COST_SKILLS": _l("Language or skills test, certificate, licence"),
    "COST_TRAINING": _l("Training or orientation"),
    "COST_EQUIPMENT": _l("Tools, uniform, safety equipment"),
    "COST_TRAVEL": _l("Travel, lodging or food"),
    "COST_ADMIN": _l("Passport, visa, permits, clearances"),
    "ILLEG_BRIBE": _l("Bribe or extra payment demanded"),
    "ILLEG_BOND": _l("Bond, deposit or guarantee"),
    "ILLEG_OTHER": _l("Other hidden or extra charge"),
}

PAYEE_KINDS = {
    "agency": _l("Agency"),
    "sub_agent": _l("Sub-agent or broker"),
    "employer": _l("Employer"),
    "official": _l("Official"),
    "other": _l("Someone else"),
}

LENDER_KINDS = {
    "moneylender": _l("Moneylender"),
    "bank": _l("Bank or cooperative"),
    "family": _l("Family or friends"),
    "agency": _l("The agency or broker"),
    "other": _l("Other"),
}

RECRUITMENT_CHANNELS = {
    "agency": _l("A recruitment agency"),
    "personal_network": _l("Family, friends or a local broker"),
    "government": _l("A government programme"),
    "direct": _l("Directly with the employer"),
}

CONTACT_CHANNELS = {
    "whatsapp": _l("WhatsApp"),
    "phone": _l("Phone call"),
    "sms": _l("SMS"),
    "imo": _l("IMO"),
    "viber": _l("Viber"),
    "signal": _l("Signal"),
    "email": _l("Email"),
}
