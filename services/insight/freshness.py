"""The read side's data version (`services.platform.dataversion`): stored in the database and raised in the same
transaction as every commit that writes a row the public board or the city dashboard counts, so the UI's caches,
keyed by `data_version(engine)`, are invalidated by a write from this process, a CLI import or another replica."""

from services.platform.dataversion import WATCHED_TABLES, bump, data_version

__all__ = ["WATCHED_TABLES", "bump", "data_version"]
