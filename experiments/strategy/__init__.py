"""Strategy analysis: empirical games over release policies and policy search."""
