"""aimarket's simulation engine: the market model, its parameters and scenarios, and the
pure market mechanics (:mod:`aimarket.simulation.mechanics`).

The model itself is :class:`aimarket.simulation.model.MarketModel` (also exported by the
top-level :mod:`aimarket`); this package's ``__init__`` imports nothing, so any of its
modules can be imported on its own.
"""
