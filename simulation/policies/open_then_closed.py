"""``open_then_closed``: open while it builds a lead, then closed: the weights already out
stay out (frozen, still improved by the community) and developers hold a trust penalty
against its models.

It switches at ``switch_step`` (a forced date), or once a condition it reaches through
the market's dynamics has held ``switch_hold`` months in a row: its capability leads the
best rival model (the best rival *open* weights, or every rival model) by ``switch_lead``
frontier-years, and it holds ``switch_share`` of the developers of ``switch_segment``.
While it is still open, developers anticipate the re-closing (Farrell & Gallini 1988;
Klemperer 1995): they hold ``anticipation`` x ``trust_penalty`` against its weights, so
announcing the policy costs adoption before the switch.
"""

from dataclasses import dataclass
from typing import Literal

import numpy as np

from aimarket.simulation.errors import ScenarioError
from aimarket.simulation.mechanics.calendar import MAX_STEPS
from aimarket.simulation.params import par
from aimarket.simulation.policies import POLICIES, ReleasePolicy

#: ``switch_segment`` values besides a segment's name.
ALL_DEVELOPERS, BEST_SEGMENT = "all", "best"


@dataclass(frozen=True)
class OpenThenClosedOptions:
    switch_step: int = par(
        -1, lo=-1, hi=MAX_STEPS, unit="step", doc="open_then_closed: step of the switch (-1 none)"
    )
    switch_lead: float = par(
        0.5,
        lo=-100.0,
        hi=100.0,
        unit="frontier-years",
        doc="open_then_closed: switch once its capability leads the best rival model "
        "(switch_rivals) by at least this much, with switch_share held",
        source="assumption: closed, its model must beat the best free alternative",
    )
    switch_rivals: Literal["open", "all"] = par(
        "open",
        doc="open_then_closed: the rivals of switch_lead: 'open' (their best open weights) "
        "or 'all' (every rival model)",
    )
    switch_share: float = par(
        0.3,
        lo=0.0,
        hi=1.01,
        doc="open_then_closed: share of switch_segment's developers (those using a model) "
        "it must hold to switch (>1: never)",
    )
    switch_segment: str = par(
        ALL_DEVELOPERS,
        doc="open_then_closed: where switch_share is counted: 'all' developers, its 'best' "
        "segment, or a segment's name",
    )
    switch_hold: int = par(
        12,
        lo=1,
        hi=MAX_STEPS,
        unit="months",
        doc="open_then_closed: months in a row the lead and the share must hold (a lasting "
        "lead, not a passing one)",
    )
    trust_penalty: float = par(
        0.5,
        lo=0.0,
        hi=20.0,
        unit="utility",
        doc="developers' utility loss on the vendor's models after it closes again",
    )
    anticipation: float = par(
        0.5,
        lo=0.0,
        hi=1.0,
        doc="open_then_closed: share of trust_penalty developers hold against its open "
        "weights before the switch (they expect it to close)",
        source="assumption (Farrell & Gallini 1988; Klemperer 1995): uncertainty record "
        "reclose_anticipation",
    )


def rival_frontier(vendor, rivals: str) -> float:
    """Best capability among rivals' models on the market ('open': open weights only;
    'all': every model); 0 if there is none."""
    p = vendor.model.products
    n = p.n
    mask = p.available[:n] & (p.vendor[:n] != vendor.index)
    if rivals == "open":
        mask &= p.is_open[:n]
    return float(p.capability[:n][mask].max()) if mask.any() else 0.0


def segment_share(vendor, segment: str) -> float:
    """Its share of the developers using a model last month: of all of them ('all'), in
    its best segment ('best'), or in the segment named."""
    if segment == ALL_DEVELOPERS:
        return vendor.developer_share
    dev = vendor.model.developers
    usage = dev.segment_usage  # (segments, products) as tallied last month
    mine = usage[:, vendor.model.products.vendor[: usage.shape[1]] == vendor.index].sum(axis=1)
    shares = mine / np.maximum(usage.sum(axis=1), 1.0)
    if segment == BEST_SEGMENT:
        return float(shares.max()) if len(shares) else 0.0
    return float(shares[dev.segment_names.index(segment)])


def condition_holds(vendor) -> bool:
    """This month its lead over the rivals and its developer share both reach the
    switch thresholds."""
    o = vendor.options
    lead = vendor.capability - rival_frontier(vendor, o.switch_rivals)
    return lead >= o.switch_lead and segment_share(vendor, o.switch_segment) >= o.switch_share


class OpenThenClosed(ReleasePolicy):
    name = "open_then_closed"
    color = "#9467bd"
    label = "open, then closed"
    doc = (
        "open until switch_step, or until it has led the best rival by switch_lead with "
        "switch_share of developers for switch_hold months; then closed"
    )
    Options = OpenThenClosedOptions
    sells_api = False
    releases_weights = True

    def check(self, where, options, scenario) -> None:
        segments = list(scenario.developers.segments)
        if options.switch_segment not in (ALL_DEVELOPERS, BEST_SEGMENT, *segments):
            raise ScenarioError(
                f"{where}.switch_segment = {options.switch_segment!r} is not a segment; "
                f"choose {ALL_DEVELOPERS}, {BEST_SEGMENT} or one of: {', '.join(segments)}"
            )

    def frontier_open(self, vendor) -> bool:
        return not vendor.switched

    def before_release(self, vendor) -> None:
        if vendor.switched:
            return
        o, month = vendor.options, vendor.model.steps
        state = vendor.policy_state  # "since": first month of the condition's current run
        # the condition is read from the first month on (at creation, rivals may not
        # have arrived yet)
        if month < 1 or not condition_holds(vendor):
            state["since"] = None
        elif state.get("since") is None:
            state["since"] = month
        since = state["since"]
        held = 0 if since is None else month - since + 1
        due = 0 <= o.switch_step <= month
        products = vendor.model.products
        if due or held >= o.switch_hold:
            if vendor.open_product is not None:  # the anticipated cost becomes real
                products.anticipated[vendor.open_product] = 0.0
            vendor.close_weights(o.trust_penalty)
        elif vendor.open_product is not None:
            products.anticipated[vendor.open_product] = o.anticipation * o.trust_penalty


POLICIES.add(OpenThenClosed())
