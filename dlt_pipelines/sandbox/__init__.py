"""The local sandbox: one server on loopback that mounts the fake API of every registry source
under ``/<source>`` (dlt_pipelines/<source>/sandbox.py), on one clock and with one fault injection.
See :mod:`.server` (HTTP contract and control endpoints), :mod:`.context` (the clock, faults and
counters a fake API is given), :mod:`.config` (``SANDBOX_*`` variables) and :mod:`.faults`.
"""
