"""The rubric model: its parts, the rules it follows, grading, and its compiled form."""
