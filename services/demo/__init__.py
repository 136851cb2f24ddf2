"""The deterministic demo of Kota Tangerang: word lists, the seed (through the real services), bootstrap.

Contract: may import every journey's public names (it drives them as the system user); nothing imports demo
except the UI edge (bootstrap, demo accounts on the login page) and tests.
"""

from services.demo.bootstrap import bootstrap
from services.demo.seed import DEMO_ACCOUNTS, DEMO_PASSWORDS, is_empty, seed_demo

__all__ = ["DEMO_ACCOUNTS", "DEMO_PASSWORDS", "bootstrap", "is_empty", "seed_demo"]
