"""`python -m cxloop` runs the command line."""

from cxloop.cli.main import main

main()
