"""What every newscrawl command shares on the command line: examples under ``--help``, one-line failures,
a database opened only if it exists, and a quiet end when the reader of stdout (``head``) goes away."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from scrapy.commands import ScrapyHelpFormatter

from newscrawl.storage import ConfigError, Storage, _without_password, open_storage


class _HelpWithExamples(argparse.RawDescriptionHelpFormatter, ScrapyHelpFormatter):
    """Scrapy's help layout, with the epilog's example lines kept as written."""


def add_examples(parser: argparse.ArgumentParser, *examples: str) -> None:
    parser.formatter_class = _HelpWithExamples
    parser.epilog = "Examples:\n" + "\n".join(f"  {line}" for line in examples)


def open_existing(database: str) -> Storage:
    """The database of NEWSCRAWL_DATABASE for reading: ConfigError when it is not there (a SQLite file is
    never created by a reader) or cannot be reached."""
    if not database:
        raise ConfigError("NEWSCRAWL_DATABASE is empty: set it to sqlite:///PATH or postgresql://...")
    if "://" not in database or database.startswith("sqlite:///"):
        path = Path(database.removeprefix("sqlite:///"))
        if not path.is_file():
            raise ConfigError(f"no database at {path}: run a crawl first or set NEWSCRAWL_DATABASE")
    try:
        return open_storage(database)
    except ConfigError as error:
        raise ConfigError(one_line(str(error))) from error
    except Exception as error:  # a damaged file or a server that refuses: one line
        raise ConfigError(f"cannot open {_without_password(database)}: {str(error).strip()}") from error


def database_problem(database: str) -> str | None:
    """Why NEWSCRAWL_DATABASE cannot be used (one sentence), checked before a crawl starts; None when it can.
    An empty setting means no database: nothing to check."""
    if not database:
        return None
    try:
        open_storage(database).close()
    except ConfigError as error:
        return one_line(str(error))
    except Exception as error:  # a damaged SQLite file, a directory where the file should be
        return f"cannot use NEWSCRAWL_DATABASE {_without_password(database)}: {first_line(error)}"
    return None


def one_line(message: str) -> str:
    """A driver's message (libpq adds a hint on a second line) as one line."""
    return " ".join(message.split())


def quiet_broken_pipe() -> None:
    """The reader of stdout went away (``| head``): point stdout at /dev/null so that the interpreter's
    final flush does not fail again, and end without a traceback."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def first_line(error: BaseException) -> str:
    """An exception as one line for the user."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
