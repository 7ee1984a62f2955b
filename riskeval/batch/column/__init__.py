"""The column evaluator for batch runs: the checked rule-set IR compiled to whole-column operations.

durable-rules stays the engine of record for every single assessment and the judge of every batch: each run
on the column path sends a seeded sample (and rows covering every rule and constant) through the full row
path and requires byte-identical rows (:mod:`.sample`, :mod:`.driver`); the first compile of a rule set is
checked rule by rule against durable-rules (:mod:`.verify`).  :mod:`.program` compiles and evaluates,
:mod:`.frame` converts cells with the row path's functions, :mod:`.source` reads columns in chunks.
"""

from __future__ import annotations

from .program import ColumnProgram, Unsupported, aggregate, compile_program

__all__ = ["ColumnProgram", "Unsupported", "aggregate", "compile_program"]
