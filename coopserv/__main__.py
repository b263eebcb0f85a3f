"""`python -m coopserv` is the `coopserv` command (used to start a worker beside the demo server)."""
from coopserv.cli import main

main()
