"""Entry point: `python -m bot ...` (and the `rednote-bot` console script)."""

from __future__ import annotations

import gc
import sys


def main() -> None:
    """Run the CLI, the cycle collector paused until the command's start-up is over (bot.cli.startup_over).

    Everything is frozen before exit too: CPython's final collection would otherwise scan it all once more,
    about 0.1 s of a one-shot `ask`.
    """
    gc.disable()
    from bot.cli import main as cli_main

    code = cli_main()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    main()
