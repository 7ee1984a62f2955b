"""Quick start: load a bundled rule set, assess the 锡东 waste-to-energy plant restart, print the explanation.

Run from anywhere::

    python examples/quickstart.py            # under the Guiyang rule set
    python examples/quickstart.py national   # or any bundled rule set name / rule file
"""

from __future__ import annotations

import sys
from pathlib import Path

import riskeval

HERE = Path(__file__).resolve().parent


def main(rules: str = "guiyang") -> int:
    """Assess ``projects/xidong.yaml`` under ``rules`` and print the result."""
    ruleset = riskeval.load_ruleset(rules)
    project = riskeval.load_project(HERE / "projects" / "xidong.yaml")
    result = riskeval.assess(project, ruleset)
    print(result.explain())
    print()
    print(f"措施前 {result.initial.level} → 措施后 {result.level}，决策：{result.decision}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:2]))
