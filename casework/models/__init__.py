"""SQLAlchemy 2 typed models, one module per aggregate. Models never commit."""

from casework.models.agency import Agency
from casework.models.assignment import Assignment
from casework.models.audit import AuditEvent
from casework.models.case import Case, CaseAbuse, Complainant
from casework.models.event import CaseEvent
from casework.models.evidence import Evidence
from casework.models.exchange_rate import ExchangeRate
from casework.models.fee import FeePayment
from casework.models.flag import Flag
from casework.models.outcome import Outcome
from casework.models.people import Organisation, OrganisationCountry, User
from casework.models.reference import Country

__all__ = [
    "Agency",
    "Assignment",
    "AuditEvent",
    "Case",
    "CaseAbuse",
    "CaseEvent",
    "Complainant",
    "Country",
    "Evidence",
    "ExchangeRate",
    "FeePayment",
    "Flag",
    "Organisation",
    "OrganisationCountry",
    "Outcome",
    "User",
]
