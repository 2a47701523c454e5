"""``python -m aimarket.experiments.analysis.calibrate``: see :mod:`.cli` (needs pyabc)."""

import importlib.util
import sys

if importlib.util.find_spec("pyabc") is None:
    print(
        "calibrate: error: the calibration needs pyabc: pip install -e '.[calibrate]' "
        "(make setup installs it)",
        file=sys.stderr,
    )
    raise SystemExit(2)

from aimarket.experiments.analysis.calibrate.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
