"""The application, one package per user journey. Never imports streamlit.

platform/  what every journey stands on (db, settings, errors, auth, authz, audit, fmt, dates, geo, regions, exports)
campaign/  the circular letter, its recipients, company accounts and home, response tracking   (journey 1)
registry/  NIK rules, the worker registry and its imports                                     (journey 2)
pledges/   a company's pledge: pure rules, commands, queries, impact report                   (journey 3)
matching/  the pure core `solve`, its use cases, the batch command                            (journey 4)
coverage/  BPJS registration export, result import, expiry                                    (journey 5)
insight/   the read side: public progress, city dashboard, leaderboard                        (journeys 6-7)
demo/      the deterministic demo: word lists, seed, bootstrap

Rules (enforced by tests/unit/test_architecture.py): platform imports no journey; a journey imports platform,
models and other journeys' public names only (never a `_private` name); no import circles between modules.
"""
