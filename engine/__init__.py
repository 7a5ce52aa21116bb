"""The asyncplay engine, the parent's side: how runs are planned, carried out, measured,
folded into state and judged.

`session.Session` is the one entry: it starts the fault server, runs (one worker process
each) and labs, relays their events and stops them. workload and targets plan a run, fold
turns its events into a RunState, result makes the typed row every report is drawn from,
eventlog records and replays runs, claims judges the article's claims. `worker/` is the
child process's side: started by module name, never imported from here (import-linter
checks both that and that nothing here imports Textual). The lessons it runs live in
`asyncplay.strategies`.
"""
