"""How the command line ends: its exit statuses, and the error that means bad input."""

EXIT_OK, EXIT_HARNESS, EXIT_USAGE = 0, 1, 2
EXIT_TERMINATED = 128 + 15  # SIGTERM, as a shell reports it


class UsageError(Exception):
    """Bad input: reported as one line on stderr, exit status 2."""
