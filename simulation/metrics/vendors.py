"""The vendor metrics: one row per month per vendor in the market (registry
:data:`VENDORS`): attributes of :class:`aimarket.agents.vendor.Vendor`, in this order."""

from __future__ import annotations

from aimarket.simulation.metrics import VENDORS, Metric

DEFINITIONS = [
    Metric("name", "", "vendor", "the vendor's name"),
    Metric("business_model", "", "business model", "'api' sells tokens; 'platform' sells ads"),
    Metric("policy", "", "release policy", "its release policy this month"),
    Metric("capability", "frontier-years", "capability", "its frontier model's capability"),
    Metric("price", "$/Mtok", "price", "price of its newest model last month"),
    Metric("revenue", "$M/month", "revenue", "API plus complement revenue"),
    Metric("api_revenue", "$M/month", "API revenue", "revenue from selling tokens"),
    Metric("complement_revenue", "$M/month", "complement revenue",
           "platform: revenue its AI adds to the complement business"),
    Metric("profit", "$M/month", "profit",
           "revenue minus serving, AI, R&D, community and fixed costs"),
    Metric("payoff", "$M", "cumulative profit", "profit summed since step 1"),
    Metric("firm_value", "$M", "firm value",
           "its profits discounted to its first month at its discount_rate, plus a "
           "terminal value: a no-growth perpetuity of its last 12 months' mean operating "
           "profit, before R&D (the buy-out price if it exited), discounted from this month"),
    Metric("cash", "$M", "cash", "its ledger balance"),
    Metric("rd_spend", "$M/month", "R&D spend", "training compute bought this month"),
    Metric("funding", "$M/month", "VC funding received", "money VCs invested in it this month"),
    Metric("token_share", "share", "token share", "its models' share of all tokens"),
    Metric("developer_share", "share", "developer share",
           "its models' share of adopting developers"),
]  # fmt: skip

for _metric in DEFINITIONS:
    VENDORS.add(_metric)
