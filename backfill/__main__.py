"""``python -m backfill``: see ``backfill.cli``."""

import sys

from backfill.cli import main

sys.exit(main())
