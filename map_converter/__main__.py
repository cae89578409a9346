"""python -m map_converter: the command-line converter."""

from .cli import run

run()
