"""``python -m polarwatch``: the same command line as the ``polarwatch`` script."""

from .cli import main

main(prog_name="polarwatch")
