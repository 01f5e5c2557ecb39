"""treaty-bot: retrieval-only answers from the UN Convention against Cybercrime, quoted verbatim."""
