"""From data to a published report: prepare the report folder once (:mod:`.prepare`), execute
the chapter notebooks with papermill (:mod:`.execute`), render every output format
(:mod:`.render`), and publish all-or-nothing (:mod:`.pipeline`, the one orchestrator the
``build`` and ``demo`` commands in :mod:`.cli` call).

``load_context`` is what a notebook's first cell calls: it reads the folder a build prepared, or
prepares one into a cache when the notebook is opened on its own.
"""

from torbayreport.publish.prepare import load_context

__all__ = ["load_context"]
