"""The engine: aggregation across visits, roll-up, ranking, the result and report cards."""
