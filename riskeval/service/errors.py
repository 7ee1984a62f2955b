"""Errors of the HTTP service (``riskeval serve``): each maps to one HTTP status.

Examples
--------
>>> err = Forbidden(name="审计组", role="auditor")
>>> err.status, err.code
(403, 'service.forbidden')
>>> print(err.message("en"))
token '审计组' (role auditor) may not call this endpoint
"""

from __future__ import annotations

from typing import ClassVar

from ..errors import EXIT_USAGE, InputError, RiskevalError
from ..i18n import register_messages

__all__ = [
    "BadBody",
    "BatchJobNotFound",
    "BodyTooLarge",
    "Forbidden",
    "RecordNotFound",
    "RequestInvalid",
    "ResultNotReady",
    "RuleSetUnknown",
    "ServiceConfigError",
    "ServiceError",
    "ServiceUnavailable",
    "TokensFileError",
    "Unauthorized",
]

register_messages(
    {
        "service.unauthorized": {
            "zh": "缺少或无效的访问令牌（Authorization: Bearer TOKEN）",
            "en": "missing or invalid access token (Authorization: Bearer TOKEN)",
        },
        "service.forbidden": {
            "zh": "令牌“{name}”（角色 {role}）无权调用此接口",
            "en": "token '{name}' (role {role}) may not call this endpoint",
        },
        "service.ruleset_unknown": {
            "zh": "服务未加载规则集 {ruleset}（已加载：{known}）",
            "en": "the service has no rule set {ruleset} (loaded: {known})",
        },
        "service.record_not_found": {"zh": "台账中没有第 {seq} 号记录", "en": "the ledger has no record #{seq}"},
        "service.job_not_found": {"zh": "没有批量任务 {job}", "en": "no batch job {job}"},
        "service.result_not_ready": {
            "zh": "批量任务 {job} 尚无结果（状态：{status}）",
            "en": "batch job {job} has no result yet (status: {status})",
        },
        "service.body_too_large": {
            "zh": "请求体超过上限 {limit} 字节",
            "en": "the request body exceeds the limit of {limit} bytes",
        },
        "service.empty_upload": {"zh": "上传的文件为空", "en": "the uploaded file is empty"},
        "service.bad_body": {"zh": "无法读取请求体：{detail}", "en": "cannot read the request body: {detail}"},
        "service.validation": {"zh": "请求字段 {field}：{detail}", "en": "request field {field}: {detail}"},
        "service.not_found": {"zh": "没有此接口：{path}", "en": "no such endpoint: {path}"},
        "service.method": {"zh": "接口 {path} 不支持方法 {method}", "en": "endpoint {path} does not allow {method}"},
        "service.unavailable": {"zh": "服务暂时无法完成请求：{detail}", "en": "the service cannot complete the request now: {detail}"},
        "service.internal": {
            "zh": "内部错误（已记入服务日志，编号 {ref}）",
            "en": "internal error (logged by the server, reference {ref})",
        },
        "service.unsigned": {
            "zh": "服务记录决策依据，台账须签名：请用 --signing-key 提供签名私钥（riskeval ledger keygen 生成），"
            "仅本地试用时可加 --allow-unsigned",
            "en": "the service records what decisions rest on, so the ledger must be signed: give --signing-key "
            "(made by riskeval ledger keygen), or --allow-unsigned for local trials only",
        },
        "service.tokens_file": {
            "zh": "令牌文件 {path} 有误：{detail}",
            "en": "the tokens file {path} is invalid: {detail}",
        },
    }
)


class ServiceError(RiskevalError):
    """An error of an HTTP request that is not one of the library's own; ``status`` is its HTTP status."""

    status: ClassVar[int] = 400


class Unauthorized(ServiceError):
    """No token, or a token that is not in the tokens file."""

    code = "service.unauthorized"
    status: ClassVar[int] = 401


class Forbidden(ServiceError):
    """A valid token whose role may not call the endpoint."""

    code = "service.forbidden"
    status: ClassVar[int] = 403


class RuleSetUnknown(ServiceError):
    """The request names a rule set that the service did not load."""

    code = "service.ruleset_unknown"
    status: ClassVar[int] = 404


class RecordNotFound(ServiceError):
    """No ledger record with that sequence number."""

    code = "service.record_not_found"
    status: ClassVar[int] = 404


class BatchJobNotFound(ServiceError):
    """No batch job with that id."""

    code = "service.job_not_found"
    status: ClassVar[int] = 404


class ResultNotReady(ServiceError):
    """The batch job has not finished (or failed): there is no result to download."""

    code = "service.result_not_ready"
    status: ClassVar[int] = 409


class BodyTooLarge(ServiceError):
    """The request body is over the limit."""

    code = "service.body_too_large"
    status: ClassVar[int] = 413


class RequestInvalid(ServiceError):
    """A request field fails validation (a missing field, a wrong type); ``problems`` lists each."""

    code = "service.validation"
    status: ClassVar[int] = 422


class BadBody(ServiceError):
    """The request body cannot be read (not JSON, not UTF-8, a broken multipart form)."""

    code = "service.bad_body"
    status: ClassVar[int] = 400


class ServiceUnavailable(ServiceError):
    """The ledger stayed locked or cannot be used right now."""

    code = "service.unavailable"
    status: ClassVar[int] = 503


class ServiceConfigError(InputError):
    """A setting of ``riskeval serve`` that cannot be used (e.g. an unset key variable)."""

    exit_code: ClassVar[int] = EXIT_USAGE


class TokensFileError(InputError):
    """The tokens file cannot be read or is not a list of ``{name, role, token_sha256}``."""

    code = "service.tokens_file"
    exit_code: ClassVar[int] = EXIT_USAGE
