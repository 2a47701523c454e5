"""Venture valuation as a pure function."""

from __future__ import annotations


def exit_value(gross_profit: float, burn: float, exit_multiple: float) -> float:
    """Exit value ($M) of a vendor expected to earn ``gross_profit`` and to spend ``burn``
    a month: annual net profit times the exit multiple (0 if it loses money)."""
    return max(0.0, gross_profit - burn) * 12 * exit_multiple


def revenue_value(
    monthly_revenue: float, growth: float, multiple: float, growth_premium: float
) -> float:
    """Value ($M) of a vendor earning ``monthly_revenue``: its annual revenue times a
    multiple that rises by ``growth_premium`` per unit of annual revenue growth."""
    return 12.0 * monthly_revenue * multiple * (1.0 + growth_premium * max(0.0, growth))
