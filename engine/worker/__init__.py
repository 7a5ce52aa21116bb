"""The worker process: it runs one lesson against the fault server and streams what happened.

Run as `python -m asyncplay.engine.worker`. Nothing here is imported by the parent except
through that command line, and this package imports nothing on import: the gevent lesson
must monkey-patch before ssl or asyncio are loaded.
"""
