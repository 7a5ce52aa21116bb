"""The claim labs: one module per claim of the article, the same bug written once per style.

Each function is a small, complete program in its style. The engine runs it in a process of
its own and measures it from outside; nothing here knows it is being watched.
"""
