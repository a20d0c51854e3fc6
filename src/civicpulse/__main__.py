"""``python -m civicpulse`` is the ``civicpulse`` command."""

from civicpulse.cli.main import main

main()
