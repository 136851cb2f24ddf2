"""What every journey stands on: database and engine, settings, errors, auth and sessions, authorisation,
audit, formatting (Babel), dates, geography, the regions reference and file exports.

Contract: imports models and third-party libraries only, never a journey package. Modules are imported by name
(`from services.platform import audit, fmt`); each is small and has one job.
"""
