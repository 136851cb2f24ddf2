"""State history of pledges and assignments: one row per period a status held (issue 21).

Every command that changes a pledge's or an assignment's status (or a pledge's size) closes the open period
(`until` = the moment of the change) and opens a new one in the same transaction
(`services.platform.history`). A figure "as of" a past moment reads the period that was open then:
`since <= moment < until` (or `until` empty). So a renewal, a cancellation or a lapse after that moment
never rewrites what the figure said.
"""

import datetime as dt

from sqlalchemy import Index
from sqlmodel import Field, SQLModel


class PledgeHistory(SQLModel, table=True):
    __tablename__ = "pledge_history"
    __table_args__ = (Index("ix_pledge_history_open", "pledge_id", "until"),)

    id: int | None = Field(default=None, primary_key=True)
    pledge_id: int = Field(foreign_key="pledge.id")
    status: str = Field(max_length=12)
    workers: int  # the pledge's size in this period (a raise opens a new period)
    since: dt.datetime
    until: dt.datetime | None = None  # None: still so


class AssignmentHistory(SQLModel, table=True):
    __tablename__ = "assignment_history"
    __table_args__ = (
        Index("ix_assignment_history_open", "assignment_id", "until"),
        Index("ix_assignment_history_worker", "worker_id", "until"),
        # The weekly chart's "workers first sent to BPJS": grouped per worker from this index alone.
        Index("ix_assignment_history_first_sent", "worker_id", "status", "since", "pledge_id"),
        # "As of" reads scan this index only: the periods in force at a moment, by status, with what they count by.
        Index(
            "ix_assignment_history_period",
            "until",
            "status",
            "since",
            "pledge_id",
            "kelurahan_code",
            "coverage_start",
            "coverage_end",
            "carried",
            "worker_id",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id")
    # Copied when the period opens, so the read side counts without joining 200.000 assignments and workers:
    worker_id: int  # the assignment's worker (never changes)
    pledge_id: int  # the assignment's pledge (never changes)
    kelurahan_code: str = Field(max_length=13)  # where the worker lived when the period opened
    coverage_start: dt.date | None = None  # the card's cover as it was in this period
    coverage_end: dt.date | None = None
    carried: bool = False  # a renewal that kept the worker's card (the worker is protected by the old one)
    status: str = Field(max_length=12)
    since: dt.datetime
    until: dt.datetime | None = None  # None: still so
