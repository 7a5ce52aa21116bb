"""The child's side: a worker process runs one lesson (or one lab) and streams what happened.

Started as `python -m asyncplay.engine.worker` (a run), `...worker.lab` (a lab variant) or
`...worker.check` (can this file be a lesson?). The parent never imports anything here (an
import-linter contract checks it); what both sides need lives on the parent's side, where
the child imports it too. This package imports nothing on import: the gevent lesson must
monkey-patch before ssl or asyncio are loaded.
"""
