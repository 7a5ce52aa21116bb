"""Which lessons there are: the built-in ones, and the user's own files.

A user's lessons live in `~/.config/asyncplay/strategies/`. A file there named after a
built-in is the user's copy of it, edited in the app: `threads.py` is shown as `threads′`,
beside `threads`. Any other module there is a lesson of its own, shown by its file's stem,
but for a stem that ends in the mark already (`threads′.py`, saved under the name the app
shows): it gets one more (`threads′′`), so that no two files share a name. A name leads back
to its file by dropping one mark. `asyncplay run --strategy-file PATH` runs a module from
anywhere the same way.

A lesson is any module with a `def main(job)`: a plain function the worker calls with the
job (an `async def main` would only make a coroutine, and a `main()` could not be called: each
would leave every task unfinished, so each is refused before it runs). The worker loads a
file as a module of the lessons' package, so a copy keeps its relative imports
(`from .job import Job`).
"""

from __future__ import annotations

import ast
import contextlib
import os
import secrets
import stat
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .catalogue import MAIN_IS, STRATEGIES, source_of
from .errors import LessonError

MARK = "′"  # a prime: threads′ is the user's threads
MAX_SOURCE_BYTES = 1_000_000  # a lesson is a page of code; a bigger file is not one
IMPORT_TIMEOUT_S = 30.0  # a lesson whose import takes longer is stuck, not slow
NAME_MAX = 64  # a lesson's name: a file's stem, shown as a panel's title


def is_lesson_name(name: str) -> bool:
    """Could a lesson file in the user's folder have this name? The name its stem gets (see
    `name_for`), of a stem that is no path, no hidden file, a line's worth of printable text."""
    stem = stem_of(name)
    return (
        0 < len(stem) <= NAME_MAX and stem.isprintable() and not stem.startswith(".")
        and not any(separator in stem for separator in "/\\") and _named(stem) == name
    )  # fmt: skip


def _named(stem: str) -> str:
    """A stem's lesson name: marked if it is a built-in's name (the user's copy of it), or
    ends in the mark already (so that `threads′.py` is not taken for the copy `threads.py`)."""
    return f"{stem}{MARK}" if stem in STRATEGIES or stem.endswith(MARK) else stem


def stem_of(name: str) -> str:
    """The stem of the file a lesson name stands for: the name less the mark `_named` added."""
    return name.removesuffix(MARK)


def own_folder() -> Path:
    """Where the user's lessons are kept (looked up each time: tests move HOME)."""
    return Path("~/.config/asyncplay/strategies").expanduser()


@dataclass(frozen=True)
class Lesson:
    """A lesson as the app and the CLI list it, and as a worker loads it."""

    name: str  # "threads", "threads′", "my_pool": unique among the lessons shown
    idea: str  # one line: a built-in's from STRATEGIES, a file's from its docstring
    file: Path | None = None  # a user's lesson (None: a built-in, or a file gone)

    @property
    def own(self) -> bool:
        return self.name not in STRATEGIES

    @property
    def original(self) -> str | None:
        """The built-in this is a copy of, if it is one."""
        stem = stem_of(self.name)
        return stem if self.name.endswith(MARK) and stem in STRATEGIES else None


def shown(path: Path) -> str:
    """A path as the user would write it: under their home, with `~`."""
    home = Path.home()
    return f"~/{path.relative_to(home)}" if path.is_relative_to(home) else str(path)


def source_now(lesson: Lesson) -> str:
    """A lesson's source as it is now; a comment saying why, if it cannot be read."""
    if lesson.file is None:
        return source_of(lesson.name)  # a built-in (or a comment: no such lesson)
    try:
        return read_source(lesson.file)
    except LessonError as error:
        return f"# {error}"


def named(name: str) -> Lesson:
    """The lesson a recorded run names: a built-in, or the user's file of that name if it
    is still here."""
    if name in STRATEGIES:
        return Lesson(name, STRATEGIES[name])
    if not is_lesson_name(name):  # a log is input: never a path out of the user's folder
        return Lesson(name, "yours, from a recorded log (not a lesson's name)")
    path = own_folder() / f"{stem_of(name)}.py"
    if path.is_file():
        return Lesson(name, from_path_unchecked(path).idea, path)
    return Lesson(name, "yours, from a recorded log (its file is not here)")


def builtins() -> list[Lesson]:
    return [Lesson(name, idea) for name, idea in STRATEGIES.items()]


def name_for(path: Path) -> str:
    """A file's lesson name: a copy of a built-in gets the mark (see `_named`)."""
    return _named(path.stem)


def from_file(path: Path) -> Lesson:
    """The lesson in `path`, checked as far as can be without running it (see `check`)."""
    source = read_source(path)
    if not is_lesson_name(name_for(path)):
        raise LessonError(f"{path.name} cannot name a lesson: a stem of 1 to {NAME_MAX} "
                          "characters, not hidden")  # fmt: skip
    check(source, str(path))
    return Lesson(name_for(path), idea_of(source) or f"your lesson, {path.name}", path)


def check_imports(path: Path, timeout_s: float = IMPORT_TIMEOUT_S) -> None:
    """Raise LessonError if importing `path` fails or it has no callable `main`: tried in a
    child process, as a worker would import it."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "asyncplay.engine.worker.check", str(path)],
            capture_output=True, text=True, timeout=timeout_s,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        raise LessonError(f"{path} did not finish importing in {timeout_s:.0f} s") from None
    if done.returncode != 0:  # the check's one line, or the last of a traceback
        said = done.stdout.strip().splitlines()[:1] or done.stderr.strip().splitlines()[-1:]
        raise LessonError(f"{path}: {said[0] if said else f'exit status {done.returncode}'}")


def from_path_unchecked(path: Path) -> Lesson:
    """The lesson a file holds, whatever state it is in (its run will say what is wrong)."""
    try:
        idea = idea_of(read_source(path))
    except LessonError:
        idea = ""
    return Lesson(name_for(path), idea or f"your lesson, {path.name}", path)


def own_lessons() -> list[Lesson]:
    """The lessons in the user's folder, copies of built-ins first (in the built-ins'
    order), then the others by name. A file that is not a valid lesson is listed all the
    same: its run will say what is wrong, and the editor can fix it."""
    folder = own_folder()
    files = sorted(folder.glob("*.py")) if folder.is_dir() else []
    order = {name: index for index, name in enumerate(STRATEGIES)}
    files.sort(key=lambda path: (order.get(path.stem, len(order)), path.stem))
    return [from_path_unchecked(path) for path in files if is_lesson_name(name_for(path))]


def save_source(path: Path, text: str) -> None:
    """Write a lesson's text to `path` whole, or not at all: to a hidden file of its own
    beside it, then renamed over it. A worker that starts a run of it meanwhile (the zoom
    saves the edit again as it closes, while the run it asked for starts) reads the old text
    or the new, never an empty or half-written file. Raises OSError (a full disk, a folder
    made read-only), leaving `path` as it was and nothing else behind. A `path` that is a
    link (to the user's own files elsewhere) stays one: the file it leads to is replaced."""
    path = path.resolve() if path.is_symlink() else path
    path.parent.mkdir(parents=True, exist_ok=True)
    # Hidden, and not a *.py: never listed as a lesson, even if a crash leaves it behind.
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.saving")
    try:
        with open(temporary, "x", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            with contextlib.suppress(FileNotFoundError):  # a new lesson: the umask's mode
                os.chmod(file.fileno(), stat.S_IMODE(path.stat().st_mode))
            os.fsync(file.fileno())  # on the disk before it is the lesson: a crash keeps one
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise


def read_source(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_SOURCE_BYTES:
            raise LessonError(f"{path} is over {MAX_SOURCE_BYTES:,} bytes: not a lesson")
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LessonError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise LessonError(f"{path} is a folder, not a Python file") from None
    except UnicodeDecodeError:
        raise LessonError(f"{path} is not UTF-8 text") from None
    except OSError as error:
        raise LessonError(f"cannot read {path}: {error.strerror}") from None


def check(source: str, filename: str) -> None:
    """Raise LessonError if `source` cannot be a lesson: it does not compile, it has no
    `main` at its top level, or a `def main` there cannot be called with the job alone (or
    is async). (An import that fails, or a `main` bound otherwise, is only known when it
    runs: `check_imports`.)"""
    try:
        tree = ast.parse(source, filename)
        compile(tree, filename, "exec")
    except SyntaxError as error:
        where = f"line {error.lineno}: " if error.lineno else ""
        raise LessonError(f"syntax error, {where}{error.msg}", error.lineno) from None
    if not {"main", "*"} & _top_level_names(tree):
        raise LessonError("no main(job): a lesson needs a function `main` that takes the job")
    for node in _top_level_nodes(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == "main":
            _check_main(node)


def _check_main(main: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
    """A `def main` the worker can call with the job: one positional argument, whatever else
    has a default; and not async (the worker calls it, it awaits nothing)."""
    args = main.args
    positional = [*args.posonlyargs, *args.args]
    takes_job = bool(positional) or args.vararg is not None
    required = len(positional) - len(args.defaults)
    kwonly_required = any(default is None for default in args.kw_defaults)
    called = f"main({_parameters(args)})"
    if not takes_job or required > 1 or kwonly_required:
        raise LessonError(f"{called} cannot take the job: {MAIN_IS}", main.lineno)
    if isinstance(main, ast.AsyncFunctionDef):
        raise LessonError(f"{called} is async: {MAIN_IS} (it may run a loop of its own, "
                          "asyncio.run)", main.lineno)  # fmt: skip


def _parameters(args: ast.arguments) -> str:
    """A def's parameters by name, as `inspect.signature` writes them without annotations
    or defaults (the worker's refusal of a main bound otherwise says them the same way)."""
    bare = ast.arguments(
        posonlyargs=[ast.arg(arg.arg) for arg in args.posonlyargs],
        args=[ast.arg(arg.arg) for arg in args.args],
        vararg=ast.arg(args.vararg.arg) if args.vararg else None,
        kwonlyargs=[ast.arg(arg.arg) for arg in args.kwonlyargs],
        kw_defaults=[None] * len(args.kwonlyargs),
        kwarg=ast.arg(args.kwarg.arg) if args.kwarg else None,
        defaults=[],
    )
    return ast.unparse(bare)


def idea_of(source: str) -> str:
    """The first paragraph of a module's docstring, on one line."""
    try:
        docstring = ast.get_docstring(ast.parse(source)) or ""
    except SyntaxError:
        return ""
    return " ".join(docstring.strip().split("\n\n")[0].split())


def _top_level_names(tree: ast.Module) -> set[str]:
    """The names the module's own code binds (in an `if` or a `try` too, not in functions);
    `*` for a star import, which may bind any."""
    names: set[str] = set()
    for node in _top_level_nodes(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(target.id for target in targets if isinstance(target, ast.Name))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return names


def _top_level_nodes(tree: ast.Module) -> Iterator[ast.stmt]:
    """The statements the module's own code runs: at its top level, and in the blocks of an
    `if`, a `try` or a `with` there (not in functions or classes)."""
    blocks = [tree.body]
    while blocks:
        for node in blocks.pop():
            yield node
            if isinstance(node, ast.If | ast.Try | ast.With):
                blocks += [getattr(node, part, []) for part in ("body", "orelse", "finalbody")]
                blocks += [handler.body for handler in getattr(node, "handlers", [])]
