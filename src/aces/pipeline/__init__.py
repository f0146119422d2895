"""The pipeline: checks, the stage registry and the runner that fails closed."""
