"""Input data: units, observations, and the readers for records and long-form tables."""
