"""ACES: the CI/CD enforcement of the ArqonBus doctrine, as one tool."""

from __future__ import annotations

__version__ = "0.1.0"
DOCTRINE_VERSION = "aces-1.0.0"
