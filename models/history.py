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
        # "As of" reads: the periods open at a moment, by status, counted per worker.
        Index("ix_assignment_history_period", "until", "status", "since", "worker_id", "pledge_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id")
    worker_id: int  # copied from the assignment (never changes): counts per worker without a join
    pledge_id: int  # likewise
    status: str = Field(max_length=12)
    since: dt.datetime
    until: dt.datetime | None = None  # None: still so
