"""`python -m app` runs the CLI, for scripts that must not depend on PATH."""

from app.cli import main

main()
