"""The parameter records of the market's parts; :mod:`aimarket.simulation.scenario` puts
them together into one scenario."""

from aimarket.simulation.parameters.actors import (
    GENERATED_NAME,
    CloudParams,
    DeveloperParams,
    SegmentParams,
    TasteType,
    VCParams,
    VendorParams,
)
from aimarket.simulation.parameters.market import (
    EntryParams,
    InnovationParams,
    MarketParams,
    Mechanisms,
)

__all__ = [
    "GENERATED_NAME",
    "CloudParams",
    "DeveloperParams",
    "EntryParams",
    "InnovationParams",
    "MarketParams",
    "Mechanisms",
    "SegmentParams",
    "TasteType",
    "VCParams",
    "VendorParams",
]
