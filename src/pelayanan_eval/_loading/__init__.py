"""Rubric files: reading YAML safely, building the model, the bundled rubrics, writing YAML."""
