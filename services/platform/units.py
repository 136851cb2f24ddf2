"""Units of work that only read: on SQLite they begin DEFERRED and never take the write lock (`services.platform.db`
begins every other transaction IMMEDIATE). Apart from db.py so that modules db.py imports can read too."""

from sqlalchemy.engine import Engine

UNIT_OPTION = "payung_unit"  # execution option: "read" for units of work that only read
READ = "read"


def reading(engine: Engine) -> Engine:
    """The same engine (pool, events) for units of work that only read: on SQLite they begin DEFERRED and never
    take the write lock. A unit that writes after all still works (SQLite upgrades the lock), and `run_unit`
    runs it again if that upgrade met a concurrent writer."""
    return engine.execution_options(**{UNIT_OPTION: READ})  # cheap: a view of the engine, nothing copied
