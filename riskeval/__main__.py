"""python -m riskeval"""

from .cli import main

main()
