"""The build's base error, in a module of its own so that a notebook worker process can recognise
it without importing the data stack (:mod:`.execute` re-exports it; import it from there)."""


class BuildError(Exception):
    """A build cannot start or cannot finish; the message says what to fix.

    When several audiences were built at once (:func:`.multi.build_audiences`) and some failed,
    the error raised also carries what happened to each: ``published`` (the results of the
    audiences that were published) and ``failures`` (audience -> its error)."""

    published: list = []
    failures: dict = {}
