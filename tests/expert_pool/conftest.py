"""Make the shared helpers (``_ep_cases``) importable however pytest names this directory."""

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
