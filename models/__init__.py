"""SQLModel tables, one module per aggregate. Importing this package registers every table."""

from models.assignment import HOLDING_STATUSES, Assignment, AssignmentStatus
from models.audit import AuditLog
from models.campaign import Campaign
from models.claim import Claim, JkkKind, Programme
from models.company import Company, LetterRecipient
from models.history import AssignmentHistory, PledgeHistory
from models.outreach import Channel, OutboxMessage, RecipientContact
from models.payer import (
    Allocation,
    AllocationStatus,
    CityRegistration,
    CityRegistrationStatus,
    CoverMonth,
    PayerKind,
)
from models.pledge import (
    LIVE_PLEDGE_STATUSES,
    OPEN_PLEDGE_STATUSES,
    PAID_PLEDGE_STATUSES,
    Pledge,
    PledgeKelurahan,
    PledgeStatus,
)
from models.readmodel import ReadModelSnapshot
from models.region import Kecamatan, Kelurahan
from models.registry import ImportKind, ImportRun
from models.security import LoginThrottle
from models.user import Role, User
from models.version import DataVersion
from models.worker import CoveredBy, Sex, Worker

__all__ = [
    "Allocation",
    "AllocationStatus",
    "CityRegistration",
    "CityRegistrationStatus",
    "CoverMonth",
    "PayerKind",
    "HOLDING_STATUSES",
    "LIVE_PLEDGE_STATUSES",
    "OPEN_PLEDGE_STATUSES",
    "PAID_PLEDGE_STATUSES",
    "Assignment",
    "AssignmentHistory",
    "AssignmentStatus",
    "AuditLog",
    "Campaign",
    "Channel",
    "Claim",
    "Company",
    "CoveredBy",
    "DataVersion",
    "ImportKind",
    "ImportRun",
    "JkkKind",
    "Kecamatan",
    "Kelurahan",
    "LetterRecipient",
    "LoginThrottle",
    "ReadModelSnapshot",
    "OutboxMessage",
    "Pledge",
    "RecipientContact",
    "PledgeHistory",
    "PledgeKelurahan",
    "PledgeStatus",
    "Programme",
    "Role",
    "Sex",
    "User",
    "Worker",
]
