"""`python -m kiosk ...`: see kiosk.cli."""

import sys

from kiosk.cli import main

sys.exit(main())
