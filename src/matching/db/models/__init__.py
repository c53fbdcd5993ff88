"""All tables of Türöffner, one module per table (imported here so metadata is complete)."""

from matching.db.models.api_key import ApiKey
from matching.db.models.audit import AuditEvent
from matching.db.models.case import (
    Case,
    CaseAppointment,
    CaseContact,
    CaseReferral,
    CaseShare,
    LocalService,
    ShortConsultation,
)
from matching.db.models.consent import Consent
from matching.db.models.data_version import DataVersion
from matching.db.models.decline_reason import DeclineReason
from matching.db.models.household import Household
from matching.db.models.household_name_token import HouseholdNameToken
from matching.db.models.import_job import ImportJob
from matching.db.models.job_lock import JobLock
from matching.db.models.login_attempt import LoginAttempt
from matching.db.models.municipality import Municipality
from matching.db.models.organisation import Organisation
from matching.db.models.outbox import OutboxMessage
from matching.db.models.password_reset import PasswordResetToken
from matching.db.models.proposal import Proposal, ProposalEvent, ProposalToken
from matching.db.models.rent_limit import (
    RentLimitAmount,
    RentLimitArea,
    RentLimitAreaTown,
    RentLimitImport,
    RentLimitTable,
)
from matching.db.models.user import User
from matching.db.models.vacancy import Vacancy

__all__ = [
    "ApiKey",
    "AuditEvent",
    "Case",
    "CaseAppointment",
    "CaseContact",
    "CaseReferral",
    "CaseShare",
    "Consent",
    "DataVersion",
    "DeclineReason",
    "Household",
    "HouseholdNameToken",
    "ImportJob",
    "JobLock",
    "LocalService",
    "LoginAttempt",
    "Municipality",
    "Organisation",
    "OutboxMessage",
    "PasswordResetToken",
    "Proposal",
    "ProposalEvent",
    "ProposalToken",
    "RentLimitAmount",
    "RentLimitArea",
    "RentLimitAreaTown",
    "RentLimitImport",
    "RentLimitTable",
    "ShortConsultation",
    "User",
    "Vacancy",
]
