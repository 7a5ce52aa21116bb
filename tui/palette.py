"""The colours of fates and task states, shared by the CLI table and the app's widgets.

A fate is coloured by how well the caller was told: green when it was raised to it, blue when
it was handed back as a value, amber when only a log saw it, red when nobody did.
"""

FATE_COLOURS = {
    "raised": "#5fd75f",
    "returned": "#5fafff",
    "logged": "#ffaf00",
    "lost": "#ff5f5f",
    "not_run": "#8a8a8a",
}
FATE_LABELS = {
    "raised": "raised",
    "returned": "returned",
    "logged": "logged",
    "lost": "lost",
    "not_run": "not run",
}
TASK_COLOURS = {
    "queued": "#4e4e4e",
    "running": "#d7af5f",
    "ok": "#5f875f",
    "failed": "#d75f5f",
    "not_run": "#303030",
}
