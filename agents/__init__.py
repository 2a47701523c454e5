"""The agents of the market: model vendors, clouds, the developer crowd, VCs."""

from aimarket.agents.cloud import Cloud
from aimarket.agents.developers import DeveloperPopulation
from aimarket.agents.vendor import Vendor
from aimarket.agents.venture import VentureCapitalist

__all__ = ["Cloud", "DeveloperPopulation", "Vendor", "VentureCapitalist"]
