"""The data version: one row whose counter moves, in the same transaction, with every commit that writes a row the
read side counts (services/insight/freshness.py). Every process and replica reads it to know its caches are stale.
"""

from sqlalchemy import BigInteger, Column, event, text
from sqlmodel import Field, SQLModel


class DataVersion(SQLModel, table=True):
    __tablename__ = "data_version"

    id: int = Field(default=1, primary_key=True)
    version: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))


# The one row exists from the start, whether the schema comes from the migration or from create_all.
event.listen(
    DataVersion.__table__,  # type: ignore[attr-defined]
    "after_create",
    lambda target, connection, **_: connection.execute(text("INSERT INTO data_version (id, version) VALUES (1, 0)")),
)
