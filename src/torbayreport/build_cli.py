"""Command-line entry for this part of the toolkit (placeholder until implemented)."""


def register(subparsers) -> None:
    """Add this module's sub-commands to the ``torbayreport`` parser."""
