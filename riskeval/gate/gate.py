"""The mandatory pre-decision gate (前置程序和刚性门槛): no decision without a valid assessment.

Examples
--------
>>> import tempfile, os
>>> from riskeval import Project, load_ruleset
>>> from riskeval.gate import Gate, AssessmentRequired, GateBlocked
>>> rs = load_ruleset("jiangsu-db32-4013-2021")
>>> tmp = tempfile.TemporaryDirectory()
>>> gate = Gate(rs, ledger=os.path.join(tmp.name, "ledger.sqlite"))
>>> project = Project(id="P-1", kind="project", facts=rs.tests[0].project["facts"])
>>> try:
...     gate.require(project)
... except AssessmentRequired as exc:
...     print(exc.reason)
no_assessment
>>> gate.assess(project, actor="张三").decision
'proceed'
>>> gate.require(project).seq
1
>>> @gate.guard
... def approve(project):
...     return f"approved {project.id}"
>>> approve(project)
'approved P-1'
>>> gate.record_decision(project, "批准实施", actor="李四").kind
'decision'
>>> risky = project.model_copy(update={"id": "P-2", "facts": {**project.facts, "opposition_rate": 60}})
>>> gate.assess(risky, actor="张三").level
'high'
>>> try:
...     approve(risky)
... except GateBlocked as exc:
...     print(exc.reason, "|", exc.message("en"))
reject | project P-2 was assessed as high risk (project-approval rule: medium and high are not approvable); the decision is 'do not implement (not approvable)' (ledger record #3): it may not go ahead.
>>> gate.ledger.verify().ok
True
>>> tmp.cleanup()
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar, cast

from ..check import ProjectError
from ..ledger import Ledger, LedgerRecord, LedgerTampered, PublicKey, SigningKey
from ..model.assessment import Assessment
from ..model.project import Project
from ..pipeline import assess as run_assessment
from ..pipeline import project_from_data
from ..ruleset import load_ruleset
from ..ruleset.compiled import RuleSet
from .errors import AssessmentRequired
from .tracking import append_measure, append_tracking, tracked_problem
from .validity import RuleSetKey, record_problem

__all__ = ["Gate"]

F = TypeVar("F", bound=Callable[..., Any])

AUTO_ACTOR = "riskeval.gate"
"""The actor of out-of-scope records that :meth:`Gate.require` writes by itself."""


def _as_project(project: Project | dict[str, Any]) -> Project:
    return project if isinstance(project, Project) else project_from_data(project)


class Gate:
    """The pre-decision gate over one rule set and one ledger.

    Before it answers :meth:`require` or :meth:`record_decision`, and before any append, the gate
    checks the ledger it stands on: everything on first use, then the records added since, the
    metadata and the latest checkpoint's signature; a record it relies on must match the leaf it
    verified. It notices its file deleted, replaced or truncated under it. Any failure is
    :class:`~riskeval.ledger.LedgerTampered` and nothing is recorded or allowed.

    Parameters
    ----------
    ruleset
        A :class:`~riskeval.RuleSet`, or a bundled name / rule-file path to load.
    ledger
        The ledger file (SQLite, created on the first append) or a :class:`Ledger`.
    signing_key
        The Ed25519 signing key (``signing.key`` from ``riskeval ledger keygen``), ignored when
        ``ledger`` is a :class:`Ledger`. Without one the ledger is unsigned (local trials only).
    public_key
        The public key to verify against (default: the signing key's).
    require_signed
        Refuse an unsigned ledger.
    strict
        A project fact that the rule set does not declare and that is not a standard fact is a
        :class:`~riskeval.ProjectError` (default); ``False`` makes it a warning.
    on_append
        Called with each appended :class:`LedgerRecord`, e.g. to print the new head hash.
    clock
        Gives the (aware) time stamped on appended records, default now; set on the ledger (e.g. a
        simulated calendar in :mod:`examples.make_city_year`).

    Raises
    ------
    RuleSetError, RuleSetNotFound
        ``ruleset`` is a name or path that does not load.
    LedgerKeyError
        A key file that cannot be read or is not an Ed25519 key.
    """

    def __init__(
        self,
        ruleset: RuleSet | str | Path,
        ledger: str | Path | Ledger,
        signing_key: str | Path | SigningKey | None = None,
        *,
        public_key: str | Path | PublicKey | None = None,
        require_signed: bool = False,
        strict: bool = True,
        on_append: Callable[[LedgerRecord], None] | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.ruleset: RuleSet = ruleset if isinstance(ruleset, RuleSet) else load_ruleset(ruleset)
        if isinstance(ledger, Ledger):
            self.ledger = ledger
        else:
            self.ledger = Ledger(ledger, signing_key=signing_key, public_key=public_key, require_signed=require_signed)
        if clock is not None:
            self.ledger.clock = clock
        self.strict = strict
        self.on_append = on_append
        self.last_record: LedgerRecord | None = None

    @property
    def ruleset_key(self) -> RuleSetKey:
        """``(id, version, content_hash)`` of the gate's rule set."""
        return (self.ruleset.id, self.ruleset.version, self.ruleset.content_hash)

    @property
    def head(self) -> str | None:
        """The ledger's head hash (anchor it in the decision document), or ``None`` when empty."""
        record = self.ledger.head()
        return record.record_hash if record else None

    def _appended(self, record: LedgerRecord) -> LedgerRecord:
        self.last_record = record
        if self.on_append is not None:
            self.on_append(record)
        return record

    def assess(self, project: Project | dict[str, Any], *, actor: str) -> Assessment:
        """Assess ``project`` under the gate's rule set and append the result to the ledger.

        Parameters
        ----------
        project
            A :class:`~riskeval.Project` or a mapping in the project-file format (expert-panel
            scores go in ``project.panel`` so that they are part of the record).
        actor
            Who is assessing; non-empty.

        Returns
        -------
        Assessment
            Also recorded; the record is ``gate.last_record``.

        Raises
        ------
        ProjectError
            The project does not match the rule set's declarations (nothing is recorded).
        EngineError
            The rule engine misbehaved (nothing is recorded).
        LedgerError
            The ledger cannot be written; ``LedgerTampered`` when it fails verification.
        ValueError
            ``actor`` is empty.

        Examples
        --------
        See the module docstring.
        """
        if not isinstance(actor, str) or not actor.strip():
            raise ValueError("actor must be a non-empty string")
        project = _as_project(project)
        result = run_assessment(project, self.ruleset, strict=self.strict)
        self._appended(self.ledger.append_assessment(project, result, actor))
        return result

    def require(self, project: Project | dict[str, Any], *, actor: str | None = None) -> LedgerRecord:
        """The ledger record that allows a decision on ``project`` now, or the reason why none does.

        A project outside the rule set's scope passes: when it has no record yet, one is written
        (by ``actor``, default ``"riskeval.gate"``) saying so.

        Parameters
        ----------
        project
            The project as it stands now.
        actor
            Who asks (recorded only when an out-of-scope record is written).

        Returns
        -------
        LedgerRecord
            The latest assessment record of the project, or its latest tracking record when it was
            tracked since (:meth:`track`).

        Raises
        ------
        AssessmentRequired
            In scope (or scope undeterminable) and never assessed.
        AssessmentStale
            The project (facts, measures, identity, panel) or the rule set (id, version, content)
            changed since the latest assessment.
        AssessmentIncomplete
            Required procedures or panel scores are missing.
        GateBlocked
            The assessment forbids going ahead (reject, postpone, or measures required and none listed);
            :class:`~riskeval.gate.tracking.TrackingBlocked` when it is a tracked assessment.
        LedgerTampered
            The ledger, or the record relied on, fails verification.
        LedgerError
            The ledger cannot be read.
        ProjectError
            ``project`` is a mapping that is not a valid project.
        """
        project = _as_project(project)
        self.ledger.ensure_verified()
        record = self.ledger.last_assessment(project.id)
        if record is None:
            return self._first_check(project, actor)
        if not self.ledger.check(record):
            raise LedgerTampered("record_tampered", record=record, path=str(self.ledger.path))
        detail = record.inconsistency()
        if detail is not None:  # signed, but its columns disagree: not a basis for a decision
            raise LedgerTampered("record_inconsistent", record=record, path=str(self.ledger.path), detail=detail)
        problem = record_problem(record, project=project.model_dump(mode="json"), ruleset=self.ruleset_key)
        if problem is not None:
            raise tracked_problem(problem, record)
        return record

    def _first_check(self, project: Project, actor: str | None) -> LedgerRecord:
        if self.ruleset.scope is None:
            raise AssessmentRequired(project.id)
        try:
            result = run_assessment(project, self.ruleset, strict=self.strict)
        except ProjectError as exc:
            raise AssessmentRequired(project.id, "scope_unknown", detail=exc.render("zh").strip()[:300]) from None
        if result.in_scope:
            raise AssessmentRequired(project.id)
        return self._appended(self.ledger.append_assessment(project, result, actor or AUTO_ACTOR))

    def allows(self, project: Project | dict[str, Any]) -> bool:
        """Whether :meth:`require` passes (it may write an out-of-scope record); ``False`` on any failure."""
        try:
            self.require(project)
        except Exception:  # noqa: BLE001 - a gate that cannot answer does not allow
            return False
        return True

    def guard(self, func: F) -> F:
        """Decorate ``func(project, ...)`` so that :meth:`require` runs (and may raise) first.

        Examples
        --------
        See the module docstring.
        """

        @functools.wraps(func)
        def wrapper(project: Any, *args: Any, **kwargs: Any) -> Any:
            self.require(project)
            return func(project, *args, **kwargs)

        return cast(F, wrapper)

    def record_decision(self, project: Project | dict[str, Any], outcome: str, actor: str) -> LedgerRecord:
        """Append the decision taken on ``project``; refused unless :meth:`require` passes.

        Parameters
        ----------
        project
            The project decided on, as it stands.
        outcome
            What was decided (free text); non-empty.
        actor
            Who decided; non-empty.

        Returns
        -------
        LedgerRecord
            The decision record (``ref_seq``/``ref_hash`` name the assessment record).

        Raises
        ------
        GateError
            Any error of :meth:`require`; nothing is recorded.
        ValueError
            Empty ``outcome`` or ``actor``.
        """
        for name, value in (("outcome", outcome), ("actor", actor)):
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"{name} must be a non-empty string")
        project = _as_project(project)
        basis = self.require(project, actor=actor)
        return self._appended(self.ledger.append_decision(project, outcome, actor, basis))

    def track(self, project: Project | dict[str, Any], *, actor: str, note: str | None = None) -> Assessment:
        """Re-assess a decided matter during implementation (跟踪评估) and record a ``tracking`` record.

        The record (format in :mod:`riskeval.gate.tracking`) links to the matter's last decision and
        says whether the matter escalated (its level is above the level at that decision). From then
        on :meth:`require` answers on the tracked assessment.

        Parameters
        ----------
        project
            The matter (same id) with the facts observed during implementation.
        actor
            Who tracked; non-empty.
        note
            A free-text note kept in the record.

        Returns
        -------
        Assessment
            The re-assessment; the record is ``gate.last_record``.

        Raises
        ------
        NotDecided
            The ledger holds no decision on the matter (assess it again instead).
        ProjectError, EngineError
            As for :meth:`assess` (nothing is recorded).
        LedgerError
            The ledger cannot be written or fails verification.
        ValueError
            ``actor`` is empty.

        Examples
        --------
        >>> import tempfile, os
        >>> from riskeval import Project, load_ruleset
        >>> from riskeval.gate import GateBlocked
        >>> rs = load_ruleset("jiangsu-db32-4013-2021")
        >>> tmp = tempfile.TemporaryDirectory()
        >>> gate = Gate(rs, ledger=os.path.join(tmp.name, "ledger.sqlite"))
        >>> p = Project(id="P-1", kind="project", facts=rs.tests[0].project["facts"])
        >>> gate.assess(p, actor="张三").level
        'low'
        >>> gate.record_decision(p, "批准实施", actor="李四").seq
        2
        >>> later = p.model_copy(update={"facts": {**p.facts, "opposition_rate": 60}})
        >>> gate.track(later, actor="王五").level
        'high'
        >>> gate.last_record.kind, gate.last_record.ref_seq, '"escalated":true' in gate.last_record.outcome
        ('tracking', 2, True)
        >>> try:
        ...     gate.record_decision(later, "开工", actor="李四")
        ... except GateBlocked as exc:
        ...     print(exc.record.seq, exc.reason)
        3 reject
        >>> tmp.cleanup()
        """
        if not isinstance(actor, str) or not actor.strip():
            raise ValueError("actor must be a non-empty string")
        project = _as_project(project)
        result = run_assessment(project, self.ruleset, strict=self.strict)
        self._appended(append_tracking(self.ledger, project, result, actor, note))
        return result

    def update_measure(
        self, project_id: str, measure_id: str, status: str, *, actor: str, note: str | None = None
    ) -> LedgerRecord:
        """Record a measure's status (``planned``, ``in_progress`` or ``done``) as a ``measure`` record.

        The measure is looked up in the matter's latest assessment or tracking record (format in
        :mod:`riskeval.gate.tracking`); :func:`riskeval.gate.measures.measure_statuses` lists them.

        Raises
        ------
        MeasureStatusInvalid
            ``status`` is not one of the three.
        UnknownMatter, UnknownMeasure
            No assessment of ``project_id``, or it lists no measure ``measure_id`` (nothing is recorded).
        LedgerError
            The ledger cannot be written or fails verification.
        ValueError
            ``actor`` is empty.
        """
        if not isinstance(actor, str) or not actor.strip():
            raise ValueError("actor must be a non-empty string")
        return self._appended(append_measure(self.ledger, project_id, measure_id, status, actor, note))
