"""A TOML file the user wrote (a scenario, a tour), read as input: each way tomllib can
refuse it is one line that names the file, never a traceback."""

from __future__ import annotations

import sys
import tomllib
from typing import Any

from .errors import InputError


def parse_toml(text: str, named: str, error: type[InputError]) -> dict[str, Any]:
    """`text`'s TOML; `named` says whose it is in a refusal ("scenario 'mine'")."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as decode_error:
        raise error(f"{named} is not valid TOML: {decode_error}") from None
    except ValueError:  # tomllib lets int()'s own refusal through
        digits = sys.get_int_max_str_digits()
        raise error(f"{named}: a number of more than {digits:,} digits") from None
    except RecursionError:
        raise error(f"{named}: arrays or tables nested too deeply") from None
