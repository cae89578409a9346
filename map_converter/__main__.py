"""python -m map_converter: the command-line converter."""

import sys

from .cli import main

sys.exit(main())
