"""`python -m programfinder` runs the command line."""

from .cli.app import main

main()
