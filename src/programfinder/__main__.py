"""`python -m programfinder` runs the command line."""

from .cli import main

main()
