"""``python -m mentra_desktop`` is ``mentra-desktop``."""

import sys

from mentra_desktop.main import main

sys.exit(main())
