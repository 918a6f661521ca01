"""The path-redirection hook (only ``sitecustomize`` matters here)."""
