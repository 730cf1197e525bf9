"""`python -m license_lint` runs the CLI."""

from .cli import main

main()
