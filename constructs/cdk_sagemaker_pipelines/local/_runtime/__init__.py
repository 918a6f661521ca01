"""Programs the runner starts inside a step (stdlib only, Python 3.8+)."""
