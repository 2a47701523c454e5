"""``python -m aimarket.experiments.analysis.calibrate``: see :mod:`.cli`."""

from aimarket.experiments.analysis.calibrate.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
