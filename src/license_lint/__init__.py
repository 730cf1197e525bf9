"""license-lint: checks open-weight model licenses against an organization's allowed-use rules."""

__version__ = "0.1.0"
