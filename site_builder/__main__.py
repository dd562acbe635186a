"""``python -m site_builder`` is the ``briefing`` command."""
import sys

from .cli import main

sys.exit(main())
