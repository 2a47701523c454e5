"""Analysis of sweep results: aggregates and intervals, console tables, figures, reports,
calibration targets and the calibration itself."""
