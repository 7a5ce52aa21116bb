"""The asyncplay engine: how runs are planned, carried out, measured and folded into state.

workload and targets plan a run, server acts it out over loopback, runner starts one worker
process per strategy run and relays its events, fold turns events into a RunState, result
makes the typed row every report is drawn from, and eventlog records and replays runs.
`worker/` is the child process's side. Nothing here imports Textual (an import-linter
contract checks it); the lessons it runs live in `asyncplay.strategies`.
"""
