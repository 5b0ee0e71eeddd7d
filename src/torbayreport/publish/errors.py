"""The build's base error, in a module of its own so that a notebook worker process can recognise
it without importing the data stack (:mod:`.execute` re-exports it; import it from there)."""


class BuildError(Exception):
    """A build cannot start or cannot finish; the message says what to fix."""
