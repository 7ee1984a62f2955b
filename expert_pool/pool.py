"""The expert pool as a networkx graph.

The pool graph is a :class:`networkx.DiGraph` whose nodes are ``("unit", id)`` and ``("expert", id)``
with the pydantic model under the node attribute ``"model"``, and one edge unit -> expert per membership.
Loading from files is :mod:`expert_pool.reading`; the models are :mod:`expert_pool.models`.

Examples
--------
>>> pool = Pool(experts=[Expert(id="E1", unit="市司法局", domains=["法律"], max_load=2),
...                      Expert(id="E2", unit="市财政局", domains=["财务", "经济"], max_load=2)])
>>> len(pool), sorted(u.id for u in pool.units)
(2, ['市司法局', '市财政局'])
>>> pool.graph.number_of_nodes(), pool.graph.number_of_edges()
(4, 2)
>>> pool.expert("E2").domains
['财务', '经济']
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import networkx as nx

from expert_pool.errors import DuplicateIdError, UnknownReferenceError
from expert_pool.models import Expert, ProjectNeed, Unit

__all__ = ["Pool"]


def _expert_node(expert_id: str) -> tuple[str, str]:
    return ("expert", expert_id)


def _unit_node(unit_id: str) -> tuple[str, str]:
    return ("unit", unit_id)


class Pool:
    """An expert pool: units and experts as a networkx graph.

    Parameters
    ----------
    units : iterable of Unit, optional
        The units.  When empty, units are created from the experts' ``unit`` fields.
    experts : iterable of Expert
        The experts.  ``expert.unit`` may name a unit by id or by name; it is normalised to the id.
    name : str
        A label for the pool.

    Raises
    ------
    DuplicateIdError
        Two units or two experts share an id.
    UnknownReferenceError
        Units were given and an expert names a unit that is not among them.

    Examples
    --------
    >>> pool = Pool(units=[Unit(id="U1", name="市信访局")],
    ...             experts=[Expert(id="E1", unit="市信访局", max_load=3)])
    >>> pool.expert("E1").unit, pool.resolve_unit("市信访局"), pool.resolve_unit("外单位")
    ('U1', 'U1', '外单位')
    >>> [e.id for e in pool.members("U1")]
    ['E1']
    """

    def __init__(self, units: Iterable[Unit] = (), experts: Iterable[Expert] = (), *, name: str = "") -> None:
        self.name = name
        self.graph: nx.DiGraph = nx.DiGraph(name=name)
        self._by_name: dict[str, str] = {}
        unit_list = list(units)
        strict = bool(unit_list)
        for unit in unit_list:
            self.add_unit(unit)
        for expert in experts:
            self.add_expert(expert, create_unit=not strict)

    # -- construction -------------------------------------------------------------------------------
    def add_unit(self, unit: Unit) -> None:
        """Add a unit; raises :class:`DuplicateIdError` if its id exists."""
        node = _unit_node(unit.id)
        if node in self.graph:
            raise DuplicateIdError("id", unit.id, None)
        self.graph.add_node(node, kind="unit", model=unit)
        self._by_name.setdefault(unit.name, unit.id)

    def add_expert(self, expert: Expert, *, create_unit: bool = True) -> None:
        """Add an expert (normalising its unit to a unit id)."""
        node = _expert_node(expert.id)
        if node in self.graph:
            raise DuplicateIdError("id", expert.id, None)
        unit_id = self.resolve_unit(expert.unit)
        if _unit_node(unit_id) not in self.graph:
            if not create_unit:
                raise UnknownReferenceError("unit", expert.unit, "unit")
            self.add_unit(Unit(id=unit_id))
        if unit_id != expert.unit:
            expert = expert.model_copy(update={"unit": unit_id})
        self.graph.add_node(node, kind="expert", model=expert)
        self.graph.add_edge(_unit_node(unit_id), node, kind="member")

    # -- access ----------------------------------------------------------------------------------------
    def resolve_unit(self, key: str | None) -> str:
        """The unit id for ``key`` (a unit id or name); unknown keys are returned unchanged."""
        if key is None:
            return ""
        if _unit_node(key) in self.graph:
            return key
        return self._by_name.get(key, key)

    @property
    def units(self) -> list[Unit]:
        """The units, in insertion order."""
        return [d["model"] for _, d in self.graph.nodes(data=True) if d["kind"] == "unit"]

    @property
    def experts(self) -> list[Expert]:
        """The experts, in insertion order."""
        return [d["model"] for _, d in self.graph.nodes(data=True) if d["kind"] == "expert"]

    def expert(self, expert_id: str) -> Expert:
        """The expert with this id (``KeyError`` if absent)."""
        model: Expert = self.graph.nodes[_expert_node(expert_id)]["model"]
        return model

    def unit(self, unit_id: str) -> Unit:
        """The unit with this id or name (``KeyError`` if absent)."""
        model: Unit = self.graph.nodes[_unit_node(self.resolve_unit(unit_id))]["model"]
        return model

    def members(self, unit_id: str) -> list[Expert]:
        """The experts of a unit."""
        node = _unit_node(self.resolve_unit(unit_id))
        return [self.graph.nodes[v]["model"] for v in self.graph.successors(node)]

    def __len__(self) -> int:
        return sum(1 for _, d in self.graph.nodes(data=True) if d["kind"] == "expert")

    def __iter__(self) -> Iterator[Expert]:
        return iter(self.experts)

    def __repr__(self) -> str:
        return f"Pool(name={self.name!r}, units={len(self.units)}, experts={len(self)})"

    def candidate_graph(
        self,
        projects: Iterable[ProjectNeed],
        affinity: Any = None,
        conflicts: Iterable[tuple[str, str]] | None = None,
    ) -> nx.DiGraph:
        """The pool graph extended by project nodes ``("project", id)`` and one edge expert -> project
        per eligible pair (attribute ``score``), as used by the assignment algorithms.

        >>> pool = Pool(experts=[Expert(id="E1", unit="A", domains=["法律"], max_load=1),
        ...                      Expert(id="E2", unit="B", domains=["法律"], max_load=1)])
        >>> g = pool.candidate_graph([ProjectNeed(id="P1", unit="A", domains=["法律"], panel_size=1)])
        >>> list(g.predecessors(("project", "P1")))
        [('expert', 'E2')]
        """
        from expert_pool.affinity import as_affinity

        project_list = list(projects)
        aff = as_affinity(affinity)
        conflict_set = {(str(p), str(e)) for p, e in (conflicts or ())}
        g = self.graph.copy()
        for project in project_list:
            g.add_node(("project", project.id), kind="project", model=project)
        for project in project_list:
            own = self.resolve_unit(project.unit)
            for expert in self.experts:
                if not expert.available or expert.unit == own or (project.id, expert.id) in conflict_set:
                    continue
                score = aff.score(project, expert)
                if score is not None:
                    g.add_edge(_expert_node(expert.id), ("project", project.id), kind="candidate", score=score)
        return g


