"""``python -m aimarket`` is the ``aimarket`` command."""

import sys

from aimarket.cli import main

sys.exit(main())
