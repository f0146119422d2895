"""Entry point for ``python -m aces``."""

from __future__ import annotations

import sys

from aces.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
