"""``python -m viewer``: the command line (see viewer.cli)."""

from __future__ import annotations

import sys

from viewer.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
