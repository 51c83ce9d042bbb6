"""Archive: a copy of every delivered message of customers whose plan includes it (docs/archive.md).

- ``capture``: the worker side (store the bytes, describe them in the log record)
- ``index``: the flusher side (index rows and full-text vectors, in batches)
- ``services`` / ``selectors``: legal holds, retention purge, forward, export; search
"""
