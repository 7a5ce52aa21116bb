"""The lessons: the same fetch of N pages written once in each concurrency style.

One module per style (`sequential`, `threads`, `threadpool`, `gevent`, `callbacks`,
`generators`, `asyncio`, `taskgroup`, `trio`), each a `main(job)` that reads like the
article's example; `labs/` holds the claims' small programs, the same bug once per style.
`job` is what a lesson is handed and `pages` the response handler they share. A reader opens
these to learn; nothing here knows it is being measured.
"""
