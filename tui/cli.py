"""The `asyncplay` command.

    asyncplay                      open the playground (the Textual app)
    asyncplay run [options]        run strategies headless and print a comparison
    asyncplay replay FILE          open a recorded event log in the app
    asyncplay serve [--port P]     run the fault server in the foreground
    asyncplay web [--port P]       serve the playground in a browser (127.0.0.1:8642)
    asyncplay claims [--repeat K]  run every lab (K times), and judge each claim of the article
    asyncplay lab NAME             run one lab
    asyncplay labs                 list the labs
    asyncplay strategies           list the strategies
    asyncplay scenarios            list the scenarios: the built-ins, then yours
    asyncplay faults               list the fault kinds

Only argparse is imported up front, so `--help` and bad input answer at once; the engine,
Rich and Textual are imported by the command that needs them. Bad input is one line on
stderr and exit status 2; a harness failure (a worker crashed, the server would not start)
is exit status 1.
"""

from __future__ import annotations

import argparse
import math
import sys
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from ..engine.workload import Scenario

from ..engine.errors import AsyncplayError, InputError, OutputLost, UsageError, one_line, quoted
from .usage import EXIT_HARNESS, EXIT_OK, EXIT_USAGE, printable_streams, stdout_guard

# `asyncplay web`'s port: clear of the usual development servers (8000, 8080, 8888, 8501).
WEB_PORT = 8642
# `claims --repeat`: every lab takes two or three minutes, so twenty runs are most of an hour.
MOST_REPEATS = 20
# `claims --runs`: a timing-based variant's runs, at most (each lab asks for 3 to 5).
MOST_RUNS = 20


class Parser(argparse.ArgumentParser):
    """argparse, but an error is one line, not the usage block and a line."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {one_line(message)}\n")


def _count(text: str) -> int:
    from ..engine.workload import MAX_TASKS

    value: int = _number(text, int)
    if not 1 <= value <= MAX_TASKS:
        raise argparse.ArgumentTypeError(f"must be 1 to {MAX_TASKS:,}, not {value:,}")
    return value


def _from_one_to(most: int) -> Any:
    """A whole number from 1 to `most`: how many times to run something."""

    def parse(text: str) -> int:
        value: int = _number(text, int)
        if not 1 <= value <= most:
            raise argparse.ArgumentTypeError(f"must be 1 to {most}, not {value:,}")
        return value

    parse.__name__ = "count"
    return parse


def _non_negative(kind: type[int] | type[float]) -> Any:
    def parse(text: str) -> int | float:
        value: int | float = _number(text, kind)
        if value < 0:
            raise argparse.ArgumentTypeError(f"must not be negative, not {value}")
        return value

    parse.__name__ = kind.__name__
    return parse


def _positive_float(text: str) -> float:
    value: float = _number(text, float)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be above 0, not {value}")
    return value


def _number(text: str, kind: type[int] | type[float]) -> Any:
    try:
        value = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{quoted(text)} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{quoted(text)} is not a finite number")
    return value


def _theme(name: str) -> str:
    from .settings import theme_names

    if name not in theme_names():
        raise argparse.ArgumentTypeError(
            f"no theme {quoted(name)}: one of {', '.join(theme_names())}"
        )
    return name


def _client(name: str) -> str:
    from ..engine.catalogue import CLIENTS

    if name not in CLIENTS:
        raise argparse.ArgumentTypeError(f"no client {quoted(name)}: one of {', '.join(CLIENTS)}")
    return name


def _port(text: str) -> int:
    value: int = _number(text, int)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 0 to 65535, not {value}")
    return value


def _host(text: str) -> str:
    try:
        text.encode("idna")  # as the resolver will: no empty label, none past 63 characters
    except UnicodeError:
        pass
    else:
        if text and not any(c.isspace() for c in text):
            return text
    raise argparse.ArgumentTypeError(f"{quoted(text)} is not a host name or address")


def _scenario_options(defaults: bool = True) -> Parser:
    """The scenario flags. Without `defaults` an absent flag leaves no attribute at all, so
    `asyncplay -n 5 run` keeps the 5 the top-level parser already read."""
    options = Parser(add_help=False, argument_default=None if defaults else argparse.SUPPRESS)
    group = options.add_argument_group("scenario (flags override the scenario's values)")
    group.add_argument(
        "--scenario",
        metavar="NAME|FILE",
        help="a scenario's name, built in or yours (see `asyncplay scenarios`), or a TOML file",
    )
    group.add_argument("-n", "--count", type=_count, help="tasks to run (default 50)")
    group.add_argument(
        "--latency",
        type=_non_negative(float),
        metavar="MS",
        dest="latency_ms",
        help="server latency per request in ms (default 200)",
    )
    group.add_argument(
        "--jitter",
        type=_non_negative(float),
        metavar="MS",
        dest="jitter_ms",
        help="latency varies by up to this many ms either way",
    )
    group.add_argument(
        "-c",
        "--concurrency",
        type=_non_negative(int),
        help="tasks in flight at once; 0 is no limit (the default)",
    )
    group.add_argument(
        "--timeout",
        type=_positive_float,
        metavar="S",
        dest="timeout_s",
        help="client timeout in seconds (default 5)",
    )
    group.add_argument(
        "-f",
        "--fault",
        action="append",
        metavar="SPEC",
        dest="faults",
        help="inject a fault: KIND (one task), KIND:0.1 (a fraction), "
        "KIND@3,7 (those tasks); repeatable; see `asyncplay faults`",
    )
    group.add_argument("--seed", type=int, help="seed for latencies and fault placement")
    group.add_argument(
        "--client",
        type=_client,
        metavar="NAME",
        help="the HTTP client the lessons fetch with: httpx (the default), aiohttp (asyncio, "
        "taskgroup) or requests (sequential, threads, threadpool, gevent); callbacks keeps "
        "Tornado's own",
    )
    return options


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("asyncplay")
    except PackageNotFoundError:
        return "(not installed)"


def build_parser() -> Parser:
    parser = Parser(
        prog="asyncplay", parents=[_scenario_options()],
        description="A playground for Python's concurrency models: the same HTTP workload "
        "run with threads, green threads, callbacks and coroutines, side by side.",
    )  # fmt: skip
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    parser.add_argument(
        "--theme", type=_theme, metavar="NAME",
        help="the app's theme for this start (the one picked in the app is remembered)",
    )  # fmt: skip
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    run = commands.add_parser(
        "run",
        parents=[_scenario_options(defaults=False)],
        help="run strategies headless and compare",
        description="Run strategies one after another and compare them.",
    )
    run.add_argument(
        "-s",
        "--strategy",
        action="append",
        metavar="NAME",
        dest="strategies",
        help="a strategy to run (repeatable; default: all of them, or none with --strategy-file)",
    )
    run.add_argument(
        "--strategy-file",
        action="append",
        metavar="PATH",
        dest="strategy_files",
        help="run your own lesson: a Python file with a main(job) (repeatable)",
    )
    run.add_argument(
        "--target",
        metavar="URL",
        help="fetch from this httpbin-compatible server, not the built-in one",
    )
    run.add_argument("--json", action="store_true", help="print one JSON object, not a table")
    run.add_argument("--record", metavar="FILE", help="write the event log as JSON lines")
    run.add_argument("--force", action="store_true", help="let --record write over a file")
    run.add_argument(
        "--deadline",
        type=_positive_float,
        metavar="S",
        help="kill a run after this many seconds (default: from the plan)",
    )

    replay = commands.add_parser("replay", help="open a recorded event log in the app")
    replay.add_argument("file", metavar="FILE")

    serve = commands.add_parser("serve", help="run the fault server in the foreground")
    serve.add_argument(
        "--port", type=_port, default=0, help="port on 127.0.0.1 (default: a free one)"
    )

    web = commands.add_parser(
        "web", parents=[_scenario_options(defaults=False)],
        help="serve the playground in a browser",
        description="Serve the playground in a browser: each page that connects gets its own "
        "app, with these scenario flags; ctrl+c stops the server and every app.",
    )  # fmt: skip
    web.add_argument(
        "--port", type=_port, default=WEB_PORT,
        help=f"port to listen on (default {WEB_PORT}; 0: a free one)",
    )  # fmt: skip
    web.add_argument(
        "--host", type=_host, default="127.0.0.1",
        help="address to listen on (default 127.0.0.1); any other lets whoever can reach it "
        "start processes on this machine",
    )  # fmt: skip

    claims = commands.add_parser(
        "claims", help="run every lab and judge each claim of the article",
        description="Run every lab (two or three minutes) and print each claim's verdict. "
        "The app's claims screen opens with the last run, kept in $XDG_CACHE_HOME/asyncplay/ "
        "(else ~/.cache/asyncplay/).",
    )  # fmt: skip
    lab = commands.add_parser(
        "lab", help="run one lab", description="Run one lab and print what it measured."
    )
    lab.add_argument("name", metavar="NAME", help="the lab (see `asyncplay labs`)")
    lab.add_argument(
        "-s", "--style", action="append", metavar="STYLE", dest="styles",
        help="run only this style's variants (repeatable)",
    )  # fmt: skip
    for command in (claims, lab):
        command.add_argument("--json", action="store_true", help="print one JSON object")
        command.add_argument("--record", metavar="FILE", help="write every update as JSON lines")
        command.add_argument("--force", action="store_true", help="let --record write over a file")
        command.add_argument(
            "--runs", type=_from_one_to(MOST_RUNS), metavar="N",
            help="run each timing-based variant at most N times (each lab sets its own, 3 to 5)",
        )  # fmt: skip
        command.add_argument(
            "--repeat", type=_from_one_to(MOST_REPEATS), default=1, metavar="K",
            help=f"run it K times (1 to {MOST_REPEATS}): each verdict is the one most runs "
            "gave, with how many agreed (on a tie, the one that says least for the claim)",
        )  # fmt: skip
    tour = commands.add_parser(
        "tour", help="walk the article step by step, each step run for real",
        description="Walk the article step by step: each step runs what it needs and is "
        "captioned from what it measured.",
    )  # fmt: skip
    tour.add_argument("name", nargs="?", default="article",
                      help="the tour (default: article, the built-in one)")  # fmt: skip
    tour.add_argument("--script", action="store_true",
                      help="print the chapters, steps and captions as text")  # fmt: skip
    tour.add_argument("--record", metavar="FILE", help="keep every step's runs in FILE")
    tour.add_argument("--force", action="store_true", help="let --record write over a file")
    tour.add_argument("--replay", metavar="FILE",
                      help="play a recording back: no worker runs")  # fmt: skip
    commands.add_parser("labs", help="list the labs")
    commands.add_parser("strategies", help="list the strategies")
    commands.add_parser("scenarios", help="list the scenarios, built in and yours")
    commands.add_parser("faults", help="list the fault kinds")
    return parser


def main(argv: list[str] | None = None) -> None:
    if sys.stdout is None:  # started with stdout closed (`>&-`): nowhere to say anything
        print("asyncplay: cannot write the output: stdout is closed", file=sys.stderr)
        sys.exit(EXIT_HARNESS)
    printable_streams()  # before anything is printed, and before the app takes the terminal
    args = build_parser().parse_args(argv)
    try:
        with stdout_guard():
            code = _dispatch(args)
    except OutputLost as lost:  # said already
        code = lost.code
    except AsyncplayError as error:
        print(f"asyncplay: {error.title}: {error}", file=sys.stderr)
        code = EXIT_USAGE if isinstance(error, InputError) else EXIT_HARNESS
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)


def _dispatch(args: argparse.Namespace) -> int:
    match args.command:
        case "run":
            from .headless import run

            return run(args, scenario_from(args))
        case "serve":
            return _serve(args.port)
        case "web":
            from .web import serve

            scenario_from(args)  # a bad flag is refused here, not in every page's app
            return serve(args.host, args.port, _scenario_args(args))
        case "claims":
            from .claims_report import claims

            return claims(args)
        case "lab":
            from .claims_report import lab

            return lab(args)
        case "tour":
            from .tour_script import opened, tour

            if args.script or args.record is not None:
                return tour(args)
            return _open_app(tour=opened(args), theme=args.theme)
        case "labs":
            return _list_labs()
        case "strategies":
            return _list_strategies()
        case "scenarios":
            return _list_scenarios()
        case "faults":
            return _list_faults()
        case "replay":
            from pathlib import Path

            from ..engine.eventlog import read

            log = read(Path(args.file))
            code = _open_app(replay=log, theme=args.theme)
            if log.note:  # said once the terminal is the shell's again, where it stays
                print(f"asyncplay: note: {log.note}", file=sys.stderr)
            return code
        case _:
            from ..engine.scenarios import FIRST

            return _open_app(scenario=scenario_from(args, first=FIRST), theme=args.theme)


def scenario_from(args: argparse.Namespace, first: str | None = None) -> Scenario:
    """The scenario the flags describe: a named or file scenario (or `first`, or no faults
    at all, when none is named), then the flags on top."""
    from ..engine import scenarios
    from ..engine.workload import FaultSpec, Scenario

    name = args.scenario if args.scenario is not None else first
    base = scenarios.load(name) if name is not None else Scenario()
    faults = tuple(FaultSpec.parse(spec) for spec in args.faults) if args.faults else None
    return base.with_overrides(
        count=args.count, latency_ms=args.latency_ms, jitter_ms=args.jitter_ms,
        concurrency=args.concurrency, timeout_s=args.timeout_s, seed=args.seed, faults=faults,
        client=args.client,
    )  # fmt: skip


def _scenario_args(args: argparse.Namespace) -> list[str]:
    """The scenario flags given, as a command line again (for the app `web` starts)."""
    argv: list[str] = []
    for action in _scenario_options()._actions:  # every scenario flag, as defined above
        value = getattr(args, action.dest, None)
        for item in value if isinstance(value, list) else [] if value is None else [value]:
            argv += [action.option_strings[-1], str(item)]
    return argv


def _serve(port: int) -> int:
    """The fault server in the foreground until SIGINT (ctrl+c: status 0) or SIGTERM (143),
    taken whatever this process inherited (a job started in the background ignores SIGINT,
    and asyncio would leave it so), as `asyncplay web` takes them."""
    import asyncio
    import signal

    from ..engine import server
    from .usage import EXIT_TERMINATED

    async def serve_until_signalled() -> int:
        loop = asyncio.get_running_loop()
        serving = asyncio.ensure_future(server.serve(port, until_stdin_closes=False))
        stopped_by: list[int] = []

        def stop(status: int) -> None:
            stopped_by.append(status)
            serving.cancel()

        for number, status in ((signal.SIGINT, EXIT_OK), (signal.SIGTERM, EXIT_TERMINATED)):
            loop.add_signal_handler(number, stop, status)
        try:
            await serving
        except asyncio.CancelledError:
            if not stopped_by:
                raise
        return stopped_by[0] if stopped_by else EXIT_OK

    try:
        return asyncio.run(serve_until_signalled())
    except OSError as error:
        raise UsageError(f"cannot listen on 127.0.0.1:{port}: {error.strerror}") from None


def _list_strategies() -> int:
    from ..engine import lessons
    from ..engine.catalogue import client_run, clients_of

    every = lessons.builtins() + lessons.own_lessons()
    width = max(len(lesson.name) for lesson in every) + 2
    for lesson in every:
        print(f"{lesson.name:<{width}}{lesson.idea}")
        if lesson.file is not None:
            print(f"{'':<{width}}yours: {lesson.file}")
        else:
            clients = ", ".join(client_run(lesson.name, c) for c in clients_of(lesson.name))
            print(f"{'':<{width}}clients: {clients}")
    return EXIT_OK


def _list_labs() -> int:
    from ..engine.labs import LABS

    for lab in LABS.values():
        print(f"{lab.name:<11} {lab.title} ({', '.join(lab.styles)})")
    return EXIT_OK


def _list_scenarios() -> int:
    from ..engine import scenarios

    every = scenarios.listed()
    width = max(len(scenario.name) for scenario in every) + 2
    for scenario in every:
        print(f"{scenario.name:<{width}}{scenario.description}")
        if scenario.file is not None:
            print(f"{'':<{width}}yours: {scenario.file}")
    return EXIT_OK


def _list_faults() -> int:
    from ..engine.workload import Fault

    for fault in Fault:
        print(f"{fault.value:<12} {fault.help}")
    return EXIT_OK


def _open_app(**options: Any) -> int:
    """Run the app; its exit status is the app's (1 after a crash, said in one line)."""
    from .app import AsyncPlayApp

    app = AsyncPlayApp(**options)
    app.run()
    if app.crash is not None:
        what = f"{type(app.crash).__name__}: {app.crash}".splitlines()[0]
        print(f"asyncplay: the app crashed ({what}); the traceback is in {app.crash_report}",
              file=sys.stderr)  # fmt: skip
    return app.return_code or EXIT_OK


if __name__ == "__main__":  # how `asyncplay web` starts each page's app (tui/web.py)
    from .usage import end_with_parent

    end_with_parent()  # a server killed outright leaves no app behind
    main()
