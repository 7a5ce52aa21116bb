"""The asyncplay terminal UI and command line; the engine lives in asyncplay.engine."""
