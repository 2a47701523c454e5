"""Pure market mechanics: functions of arrays and a random ``Generator``, importing no
agent and no model (logit choice, pricing, diffusion, the complement business, the
ledger, random streams, the calendar)."""
