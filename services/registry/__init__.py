"""The worker registry: NIK rules (pure), the registry and its imports (journey 2).

Contract: imports platform and models; NIK handling (validation, masking) lives here and nowhere else.
"""

from services.registry.nik import NikInfo, is_valid, mask, normalise, parse

__all__ = ["NikInfo", "is_valid", "mask", "normalise", "parse"]
