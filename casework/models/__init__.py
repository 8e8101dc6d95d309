"""SQLAlchemy 2 typed models, one module per aggregate. Models never commit."""

from casework.models.agency import Agency
from casework.models.case import Case, CaseAbuse, Complainant
from casework.models.event import CaseEvent
from casework.models.evidence import Evidence
from casework.models.fee import FeePayment
from casework.models.reference import Country

__all__ = [
    "Agency",
    "Case",
    "CaseAbuse",
    "CaseEvent",
    "Complainant",
    "Country",
    "Evidence",
    "FeePayment",
]
