"""``python -m catgrad``: the same as the ``catgrad`` command (see catgrad.cli)."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
