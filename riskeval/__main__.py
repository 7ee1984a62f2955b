"""python -m riskeval"""

from ._startup import paused_gc

with paused_gc():  # start-up: the command line's imports
    from .cli import main

main()
