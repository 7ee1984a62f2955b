"""The ``LedgerError`` family: a ledger that cannot be used or trusted (not a gate refusal).

``LedgerError`` is a sibling of :class:`~riskeval.gate.GateError` under
:class:`~riskeval.RiskevalError`. The stable ``code`` is ``ledger.<reason>``; ``reason``,
``path`` and the message parameters are kept on the exception.

=================  ====  ===================================================================
class              exit  when
=================  ====  ===================================================================
LedgerError        2     not a ledger, an empty file, an old format, a disk or I/O failure
LedgerNotFound     2     no ledger file at the path
LedgerKeyError     2     a signing or public key that is missing, unreadable or not a key
LedgerTampered     1     any verification failure: a record, a checkpoint, a replaced or
                         truncated file, a wrong public key, the metadata
LedgerBusy         2     the ledger stayed locked by other writers
=================  ====  ===================================================================

Examples
--------
>>> from riskeval.gate import GateError
>>> issubclass(LedgerTampered, LedgerError), issubclass(LedgerError, GateError)
(True, False)
>>> exc = LedgerNotFound(path="x.sqlite")
>>> exc.code, exc.exit_code, exc.message("en")
('ledger.not_found', 2, 'no ledger file at x.sqlite')
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import EXIT_PROBLEMS, EXIT_USAGE, RiskevalError
from ..i18n import normalize_lang, register_messages, t

if TYPE_CHECKING:  # pragma: no cover
    from .records import LedgerRecord
    from .verify import VerifyReport

__all__ = ["LedgerBusy", "LedgerError", "LedgerKeyError", "LedgerNotFound", "LedgerTampered"]

register_messages(
    {
        "ledger.error": {"zh": "台账无法使用：{path}", "en": "the ledger cannot be used: {path}"},
        "ledger.not_found": {"zh": "台账文件不存在：{path}", "en": "no ledger file at {path}"},
        "ledger.not_a_ledger": {
            "zh": "不是 riskeval 台账（或文件已损坏）：{path}（{detail}）",
            "en": "not a riskeval ledger (or the file is damaged): {path} ({detail})",
        },
        "ledger.empty_file": {
            "zh": "台账文件 {path} 是空文件（0 字节）：不会把它当作新台账；请找回原文件，或删除它后重新开始",
            "en": "the ledger file {path} is empty (0 bytes): it is not taken as a new ledger; restore the file, "
            "or delete it to start afresh",
        },
        "ledger.old_format": {
            "zh": "台账 {path} 是旧格式（{format}），请先用 riskeval ledger migrate 核验并改写为签名台账",
            "en": "ledger {path} is in the old format ({format}); verify and rewrite it signed with riskeval ledger migrate",
        },
        "ledger.io": {"zh": "台账 {path} 读写失败，未写入任何内容：{detail}", "en": "ledger {path}: read/write failure, nothing was written: {detail}"},
        "ledger.kind_unsupported": {
            "zh": "台账 {path} 建立于此类记录（跟踪评估、措施进展或启用规则集）出现之前，不能写入此类记录（未写入任何内容）：请新建台账（{detail}）",
            "en": "ledger {path} predates this kind of record (tracking, measure or rule-set activation) and cannot hold it "
            "(nothing was written): "
            "start a new ledger ({detail})",
        },
        "ledger.no_record": {"zh": "台账中没有记录 {ref}", "en": "no record {ref} in the ledger"},
        "ledger.ambiguous": {"zh": "哈希前缀 {ref} 对应多条记录", "en": "hash prefix {ref} matches several records"},
        "ledger.busy": {
            "zh": "台账 {path} 长时间被占用，未能写入：{detail}",
            "en": "ledger {path} stayed locked, nothing was written: {detail}",
        },
        "ledger.key_unreadable": {"zh": "无法读取密钥文件 {key}：{detail}", "en": "cannot read the key file {key}: {detail}"},
        "ledger.key_invalid": {
            "zh": "{key} 不是 Ed25519 {kind}（请用 riskeval ledger keygen 生成）",
            "en": "{key} is not an Ed25519 {kind} (make one with riskeval ledger keygen)",
        },
        "ledger.key_required": {
            "zh": "台账 {path} 是签名台账：写入须提供签名私钥（--signing-key）",
            "en": "ledger {path} is signed: writing needs its signing key (--signing-key)",
        },
        "ledger.key_exists": {"zh": "密钥文件已存在，不会覆盖：{key}", "en": "key file exists, not overwritten: {key}"},
        "ledger.hmac_key": {
            "zh": "旧台账 {path} 使用密钥（HMAC）保护：请用 --key-env 或 --key-file 提供密钥",
            "en": "the old ledger {path} is protected by a key (HMAC): give it with --key-env or --key-file",
        },
        "ledger.tampered": {
            "zh": "台账 {path} 未通过核验，拒绝据此放行或写入：{detail}",
            "en": "ledger {path} fails verification; refusing to rely on it or write to it: {detail}",
        },
        "ledger.record_tampered": {
            "zh": "台账 {path} 第 {seq} 号记录与核验过的哈希不符，台账可能被篡改：拒绝据此放行",
            "en": "record #{seq} of ledger {path} does not match its verified hash; the ledger may have been "
            "tampered with: refusing to rely on it",
        },
        "ledger.record_inconsistent": {
            "zh": "台账 {path} 第 {seq} 号记录内部不一致（{detail}）：拒绝据此放行",
            "en": "record #{seq} of ledger {path} is inconsistent ({detail}): refusing to rely on it",
        },
        "ledger.deleted": {
            "zh": "台账文件 {path} 在使用中被删除：拒绝继续",
            "en": "the ledger file {path} was deleted while in use: refusing to go on",
        },
        "ledger.replaced": {
            "zh": "台账文件 {path} 在使用中被替换为另一个文件：拒绝继续",
            "en": "the ledger file {path} was replaced by another file while in use: refusing to go on",
        },
        "ledger.truncated": {
            "zh": "台账 {path} 在使用中被截短（已核验 {had} 条记录，现在 {now}）：拒绝继续",
            "en": "ledger {path} was truncated while in use ({had} records verified, {now} now): refusing to go on",
        },
        "ledger.unsigned_refused": {
            "zh": "台账 {path} 未签名，而此处要求签名台账：拒绝使用",
            "en": "ledger {path} is unsigned and a signed ledger is required here: refusing to use it",
        },
        "ledger.migrate_failed": {
            "zh": "旧台账 {path} 未通过核验，拒绝迁移：{detail}",
            "en": "the old ledger {path} fails verification, so it is not migrated: {detail}",
        },
    }
)


class LedgerError(RiskevalError):
    """The ledger cannot be used: ``reason`` says why (``not_a_ledger``, ``empty_file``, ``io``, ...).

    Parameters
    ----------
    reason
        The machine-readable reason; the code is ``ledger.<reason>``.
    path
        The ledger file.
    record
        The record concerned, if any.
    **params
        Values for the message.
    """

    exit_code: ClassVar[int] = EXIT_USAGE
    default_reason: ClassVar[str] = "error"

    def __init__(
        self,
        reason: str | None = None,
        /,
        *,
        path: str | None = None,
        record: LedgerRecord | None = None,
        **params: Any,
    ) -> None:
        self.reason = reason or self.default_reason
        self.path = path
        self.record = record
        if record is not None:
            params.setdefault("seq", record.seq)
        super().__init__(f"ledger.{self.reason}", path=path, **params)

    @property
    def project_id(self) -> str | None:
        """The project of the record concerned, if any."""
        return self.record.project_id if self.record is not None else None

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        """The base dict plus ``error`` and ``reason``."""
        out = super().to_dict(lang)
        out.update({"error": type(self).__name__, "reason": self.reason})
        return out


class LedgerNotFound(LedgerError):
    """No ledger file at the path (a reading command never creates one)."""

    default_reason = "not_found"


class LedgerKeyError(LedgerError):
    """A signing or public key is missing, unreadable, or not an Ed25519 key."""

    default_reason = "key_unreadable"


class LedgerBusy(LedgerError):
    """Other writers kept the ledger locked beyond the timeout; nothing was written."""

    default_reason = "busy"


class LedgerTampered(LedgerError):
    """The ledger fails verification; nothing is recorded or allowed on it.

    ``report`` (a :class:`~riskeval.ledger.VerifyReport`) names the first bad record when the
    failure came from a verification.
    """

    exit_code: ClassVar[int] = EXIT_PROBLEMS
    default_reason = "tampered"

    def __init__(
        self,
        reason: str | None = None,
        /,
        *,
        report: VerifyReport | None = None,
        **kwargs: Any,
    ) -> None:
        self.report = report
        if report is not None:
            kwargs.setdefault("path", report.path)
            if report.bad_seq:
                kwargs.setdefault("seq", report.bad_seq)
        super().__init__(reason, **kwargs)

    def message(self, lang: str | None = "zh") -> str:
        lang = normalize_lang(lang)
        if self.report is not None and self.reason == "tampered":
            return t("ledger.tampered", lang, path=self.path, detail=self.report.message(lang))
        return super().message(lang)
