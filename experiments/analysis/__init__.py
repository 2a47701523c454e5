"""Analysis of sweep results: intervals (:mod:`.stats`, the one place they are
computed), aggregates (:mod:`.aggregate`), console tables (:mod:`.console`), figures
(:mod:`.figures`), Markdown tables and reports (:mod:`.tables`, :mod:`.report`),
calibration targets (:mod:`.targets`) and the calibration itself (:mod:`.calibrate`)."""
