"""Platform adapters: the interface (base.py), one module per platform, and the registry
that picks one for an account (registry.py)."""
