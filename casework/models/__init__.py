"""SQLAlchemy 2 typed models, one module per aggregate. Models never commit."""

from casework.models.agency import Agency
from casework.models.assignment import Assignment
from casework.models.audit import AuditEvent
from casework.models.case import Case, CaseAbuse, Complainant
from casework.models.case_group import CaseGroup, CaseGroupMember, CaseGroupNote
from casework.models.case_link import CaseLink
from casework.models.complaint_draft import ComplaintDraft
from casework.models.deadline_rules import LimitationRule, StallRule
from casework.models.event import CaseEvent
from casework.models.evidence import Evidence
from casework.models.exchange_rate import ExchangeRate
from casework.models.fee import FeePayment
from casework.models.flag import Flag
from casework.models.followup_session import FollowupSession
from casework.models.held_upload import HeldUpload
from casework.models.key_check import KeyCheck
from casework.models.notification import Notification, OutboxMessage
from casework.models.nudge import NudgeMessage, NudgeSubscription
from casework.models.outcome import Outcome
from casework.models.people import Organisation, OrganisationCountry, User
from casework.models.reference import Country
from casework.models.referral import Referral, ReferralPathway
from casework.models.registry import (
    AgencyMatchCandidate,
    RegistryAgency,
    RegistryAlias,
    RegistryStatusChange,
)
from casework.models.reminder import Reminder
from casework.models.reply_template import ReplyTemplate
from casework.models.report_case import ReportCase, ReportOrgCase
from casework.models.report_money import ReportMoney, ReportMoneyRollup, ReportReferral
from casework.models.saved_view import SavedView
from casework.models.scheduling import JobRun, SchedulerLease
from casework.models.site_setting import SiteSetting
from casework.models.staff_approval import StaffApproval
from casework.models.staff_session import StaffSession
from casework.models.submission import Submission

__all__ = [
    "Agency",
    "AgencyMatchCandidate",
    "Assignment",
    "AuditEvent",
    "Case",
    "CaseAbuse",
    "CaseEvent",
    "CaseGroup",
    "CaseGroupMember",
    "CaseGroupNote",
    "CaseLink",
    "Complainant",
    "ComplaintDraft",
    "Country",
    "Evidence",
    "ExchangeRate",
    "FeePayment",
    "FollowupSession",
    "HeldUpload",
    "JobRun",
    "KeyCheck",
    "LimitationRule",
    "Notification",
    "NudgeMessage",
    "NudgeSubscription",
    "OutboxMessage",
    "Referral",
    "ReferralPathway",
    "Reminder",
    "ReplyTemplate",
    "RegistryAgency",
    "RegistryAlias",
    "RegistryStatusChange",
    "ReportCase",
    "ReportMoney",
    "ReportMoneyRollup",
    "ReportReferral",
    "ReportOrgCase",
    "SavedView",
    "SchedulerLease",
    "SiteSetting",
    "StaffApproval",
    "StaffSession",
    "StallRule",
    "Submission",
    "Flag",
    "Organisation",
    "OrganisationCountry",
    "Outcome",
    "User",
]
