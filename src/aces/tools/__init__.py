"""External tools: the one process runner and one adapter per external program.

Every subprocess ACES starts goes through ``ProcessRunner`` (``process.py``); every
external program it depends on is an adapter listed in the catalog (``catalog.py``),
which is what ``aces doctor`` reports on.
"""

from __future__ import annotations
