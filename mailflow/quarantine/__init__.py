"""Quarantine: held messages per customer, folder and recipient (docs/quarantine.md).

- ``hold``: the worker side (store the bytes, describe the hold in the log record)
- ``index``: the flusher side (index rows from log records)
- ``services`` / ``selectors``: writes and reads for consoles, links and the API
- ``permissions``: who may do what per folder
- ``links`` / ``digest``: signed end-user links and the periodic digest
- ``render``: headers and a safe rendering of a stored message
"""
