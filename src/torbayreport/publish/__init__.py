"""From data to a published report: prepare the report folder once (:mod:`.prepare`), execute
the chapter notebooks with papermill (:mod:`.execute`), render every output format
(:mod:`.render`), and publish all-or-nothing (:mod:`.pipeline`, the one orchestrator the
``build`` and ``demo`` commands in :mod:`.cli` call).

``load_context`` is what a notebook's first cell calls: it reads the folder a build prepared, or
prepares one into a cache when the notebook is opened on its own. It is imported on first use
(PEP 562), so importing a light submodule (a notebook worker process imports :mod:`.pool`) does
not import the data stack with it.
"""

__all__ = ["load_context"]


def __getattr__(name: str):
    if name == "load_context":
        from torbayreport.publish.prepare import load_context

        return load_context
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
