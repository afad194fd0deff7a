"""`python -m server` runs the `ser-kg` command."""

from server.cli import main

raise SystemExit(main())
