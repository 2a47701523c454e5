"""The agents of the market: model vendors, clouds, the developer crowd, VCs."""

from agents.cloud import Cloud
from agents.developers import DeveloperPopulation
from agents.vendor import Vendor
from agents.venture import VentureCapitalist

__all__ = ["Cloud", "DeveloperPopulation", "Vendor", "VentureCapitalist"]
