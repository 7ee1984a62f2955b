"""The errors of filing (备案): one class per failure kind, all under :class:`~riskeval.RiskevalError`.

==========================  ====  ================================================================
class                       exit  when
==========================  ====  ================================================================
FilingInputError            2     the package cannot be read: not a zip, not a filing, unreadable
FilingExportError           2     no package can be made: unsigned ledger, ``--since`` out of range
FilingRegistryError         2     the registry file cannot be used (not a registry, I/O)
FilingUnsafeEntry           1     a zip entry that would escape the folder (``..``, absolute path)
FilingTampered              1     the package fails verification (``report`` names what)
FilingReplayed              1     the package (or its head) was imported before
FilingOutOfOrder            1     the package skips records after the unit's last filing (a gap)
FilingNotContinuing         1     the package does not continue the unit's last filing
==========================  ====  ================================================================

Examples
--------
>>> exc = FilingOutOfOrder(unit="ab12", first=11, last=19, since=20)
>>> exc.exit_code, exc.code
(1, 'filing.out_of_order')
>>> print(exc.message("en"))
the package starts at record #20 but unit ab12 has filed up to #10: records #11–#19 are missing (a gap); file them first
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import EXIT_PROBLEMS, EXIT_USAGE, InputError, RiskevalError
from ..i18n import normalize_lang, register_messages, t

if TYPE_CHECKING:  # pragma: no cover
    from .verify import FilingReport

__all__ = [
    "FilingError",
    "FilingExportError",
    "FilingInputError",
    "FilingNotContinuing",
    "FilingOutOfOrder",
    "FilingRegistryError",
    "FilingReplayed",
    "FilingTampered",
    "FilingUnsafeEntry",
]

register_messages(
    {
        "filing.error": {"zh": "备案失败", "en": "filing failed"},
        "filing.in.unreadable": {"zh": "无法读取备案包 {path}：{detail}", "en": "cannot read the filing package {path}: {detail}"},
        "filing.in.not_zip": {"zh": "{path} 不是 zip 文件（备案包应为 .zip）", "en": "{path} is not a zip file (a filing package is a .zip)"},
        "filing.in.not_filing": {
            "zh": "{path} 不是 riskeval 备案包（{detail}）",
            "en": "{path} is not a riskeval filing package ({detail})",
        },
        "filing.in.too_big": {
            "zh": "备案包 {path} 中的 {name} 过大（{size} 字节，上限 {limit}），拒绝读取",
            "en": "{name} in the filing package {path} is too large ({size} bytes, limit {limit})",
        },
        "filing.export.unsigned": {
            "zh": "台账 {path} 未签名：备案须用签名台账（签名检查点是上级核验的依据）",
            "en": "ledger {path} is unsigned: filing needs a signed ledger (its signed checkpoint is what the level "
            "above checks)",
        },
        "filing.export.since": {
            "zh": "--since {since} 超出范围：台账有 {size} 条记录（应为 1 至 {size}）",
            "en": "--since {since} is out of range: the ledger holds {size} records (use 1 to {size})",
        },
        "filing.export.empty": {"zh": "台账 {path} 没有记录，无可备案", "en": "ledger {path} holds no records: nothing to file"},
        "filing.export.io": {"zh": "无法写出备案包 {path}：{detail}", "en": "cannot write the filing package {path}: {detail}"},
        "filing.registry.not_registry": {
            "zh": "{path} 不是 riskeval 备案登记库（{detail}）",
            "en": "{path} is not a riskeval filing registry ({detail})",
        },
        "filing.registry.io": {"zh": "备案登记库 {path} 读写失败：{detail}", "en": "filing registry {path}: read/write failure: {detail}"},
        "filing.unsafe_entry": {
            "zh": "备案包 {path} 含有不安全的条目 “{name}”（绝对路径或 ..，会写到目录之外）：拒绝",
            "en": "the filing package {path} holds an unsafe entry '{name}' (an absolute path or .., it would escape "
            "the folder): refused",
        },
        "filing.tampered": {"zh": "备案包 {path} 未通过核验，拒绝接收：{detail}", "en": "the filing package {path} fails verification, refused: {detail}"},
        "filing.replayed": {
            "zh": "重复备案：单位 {unit} 的这一备案包（第 {since}–{size} 号记录，链头 {head}）已于 {imported} 登记，拒绝再次登记",
            "en": "replayed filing: this package of unit {unit} (records #{since}–#{size}, head {head}) was imported on "
            "{imported}; refused",
        },
        "filing.out_of_order": {
            "zh": "备案包从第 {since} 号记录开始，而单位 {unit} 已备案至第 {before} 号：第 {first}–{last} 号记录缺失（断档）；请先报送缺失部分",
            "en": "the package starts at record #{since} but unit {unit} has filed up to #{before}: records "
            "#{first}–#{last} are missing (a gap); file them first",
        },
        "filing.not_continuing": {
            "zh": "备案包不是单位 {unit} 上次备案（至第 {last_size} 号记录）的延续：{detail}；拒绝登记",
            "en": "the package does not continue unit {unit}'s last filing (up to record #{last_size}): {detail}; refused",
        },
        "filing.nc.link": {
            "zh": "其衔接哈希 {link} 不等于上次备案的链头 {head}（台账在上次备案之后被改写）",
            "en": "its link hash {link} is not the last filing's head {head} (the ledger was rewritten since)",
        },
        "filing.nc.checkpoint": {
            "zh": "其前 {size} 条记录的根哈希与上次备案的签名检查点不一致（台账被改写）",
            "en": "the root hash of its first {size} records differs from the last filing's signed checkpoint (the "
            "ledger was rewritten)",
        },
        "filing.nc.overlap": {
            "zh": "它从第 {since} 号记录开始，与已备案的记录重叠且链头不同（应从第 {next} 号开始）",
            "en": "it starts at record #{since}, overlapping records already filed with another head (start at #{next})",
        },
        "filing.nc.meta": {
            "zh": "台账元数据与上次备案不同（同一密钥的另一本台账）",
            "en": "the ledger metadata differ from the last filing's (another ledger under the same key)",
        },
    }
)


class FilingError(RiskevalError):
    """A filing refused (exit 1); the subclasses name the kind."""

    code = "filing.error"
    exit_code: ClassVar[int] = EXIT_PROBLEMS


class FilingInputError(InputError):
    """The filing package cannot be read at all (exit 2): not a zip, not a filing, too big."""

    code = "filing.in.unreadable"


class FilingExportError(RiskevalError):
    """No filing package can be made from the ledger (exit 2): unsigned, ``--since`` out of range, empty."""

    code = "filing.export.since"
    exit_code: ClassVar[int] = EXIT_USAGE


class FilingRegistryError(RiskevalError):
    """The registry file cannot be used (exit 2)."""

    code = "filing.registry.not_registry"
    exit_code: ClassVar[int] = EXIT_USAGE


class FilingUnsafeEntry(FilingError):
    """A zip entry with an absolute path, a drive, a backslash or ``..``: the package is refused."""

    code = "filing.unsafe_entry"


class FilingTampered(FilingError):
    """The package fails verification; ``report`` (a :class:`~riskeval.filing.FilingReport`) names what."""

    code = "filing.tampered"

    def __init__(self, report: FilingReport, **params: Any) -> None:
        self.report = report
        super().__init__(path=report.path, **params)

    def message(self, lang: str | None = "zh") -> str:
        lang = normalize_lang(lang)
        return t(self.code, lang, path=self.report.path, detail=self.report.problem_text(lang))

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        out = super().to_dict(lang)
        out["report"] = self.report.to_dict(lang)
        return out


class FilingReplayed(FilingError):
    """The package, or a package with its head, was imported before."""

    code = "filing.replayed"


class FilingOutOfOrder(FilingError):
    """The package starts after the record following the unit's last filing: records are missing."""

    code = "filing.out_of_order"

    def __init__(self, **params: Any) -> None:
        params.setdefault("before", int(params.get("first", 1)) - 1)
        super().__init__(**params)


class FilingNotContinuing(FilingError):
    """The package does not continue the unit's last filing; ``reason`` is ``link``, ``checkpoint``,
    ``overlap`` or ``meta``."""

    code = "filing.not_continuing"

    def __init__(self, reason: str, **params: Any) -> None:
        self.reason = reason
        super().__init__(**params)

    def message(self, lang: str | None = "zh") -> str:
        lang = normalize_lang(lang)
        detail = t(f"filing.nc.{self.reason}", lang, **self.params)
        return t(self.code, lang, detail=detail, **self.params)

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        out = super().to_dict(lang)
        out["reason"] = self.reason
        return out
