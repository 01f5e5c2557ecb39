"""The one base of every error the project raises on purpose.

Each subclass carries a message that says what is wrong and how to fix it, so the command-line
tools catch `TreatyBotError` alone and print that message as one line.
"""


class TreatyBotError(Exception):
    """A problem the user can fix; the message says how."""
