"""What report notebooks call: the notebook API (:mod:`.context`), its tables and its charts.

Open a month's context with ``torbayreport.publish.load_context`` (it prepares the report folder
when there is no build); everything here only reads that folder.
"""
