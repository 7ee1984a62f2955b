"""``riskeval serve`` (the HTTP service on uvicorn) and ``riskeval token add``."""

from __future__ import annotations

import os
import secrets
import socket
from pathlib import Path
from typing import Annotated

import typer

from ..i18n import normalize_lang, register_messages, t
from .common import Lang, LangOption

__all__ = ["register"]

register_messages(
    {
        "serve.start": {
            "zh": "riskeval 服务：http://{host}:{port}/api/v1（浏览器工作台 http://{host}:{port}/；接口文档 /docs；规则集 {rules}；台账 {ledger}，{records} 条记录，"
            "{signed}；{tokens} 个令牌）",
            "en": "riskeval service: http://{host}:{port}/api/v1 (workbench at http://{host}:{port}/; docs at /docs; rule sets {rules}; ledger {ledger}, "
            "{records} records, {signed}; {tokens} tokens)",
        },
        "serve.signed": {"zh": "已签名", "en": "signed"},
        "serve.unsigned": {"zh": "未签名（仅供试用）", "en": "UNSIGNED (trials only)"},
        "serve.no_tokens": {
            "zh": "警告：令牌文件 {path} 中没有令牌，除健康检查外的接口都会拒绝；用 riskeval token add 添加",
            "en": "warning: the tokens file {path} holds no token, so every endpoint but health refuses; add one "
            "with riskeval token add",
        },
        "token.added": {
            "zh": "已为“{name}”（角色 {role}）创建令牌并把其哈希写入 {path}。令牌只显示这一次，请妥善保存：",
            "en": "created a token for '{name}' (role {role}) and stored its hash in {path}. The token is shown "
            "only this once; keep it safe:",
        },
    }
)


def _tcp_socket(host: str, port: int) -> socket.socket:
    """The listening socket shared by the worker processes.

    Made with ``proto=IPPROTO_TCP`` so that asyncio sets ``TCP_NODELAY`` on accepted connections (uvicorn's own
    socket has ``proto`` 0, which made every response of a multi-worker server wait ~40 ms for a delayed ACK).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def register(app: typer.Typer) -> None:
    token_app = typer.Typer(help="服务访问令牌 / access tokens of riskeval serve", no_args_is_help=True)
    app.add_typer(token_app, name="token")

    @app.command()
    def serve(
        rules: Annotated[list[str], typer.Option("--rules", help="规则集名称或文件（可多次）/ rule set name or file")],
        ledger: Annotated[Path, typer.Option("--ledger", help="台账文件（不存在则创建）/ ledger file")],
        tokens: Annotated[Path, typer.Option("--tokens", help="令牌文件 TOKENS.yaml / tokens file")],
        host: Annotated[str, typer.Option("--host", help="监听地址 / bind address")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", min=0, max=65535, help="端口 / port")] = 8000,
        workers: Annotated[int, typer.Option("--workers", min=1, help="服务进程数 / server processes")] = 1,
        batch_workers: Annotated[
            int, typer.Option("--batch-workers", min=1, help="每个批量任务的进程数 / processes per batch job")
        ] = 1,
        max_upload_mb: Annotated[
            int, typer.Option("--max-upload-mb", min=1, help="批量上传上限（MB）/ batch upload limit")
        ] = 200,
        signing_key: Annotated[
            Path | None,
            typer.Option("--signing-key", envvar="RISKEVAL_SIGNING_KEY", help="台账签名私钥 signing.key / Ed25519 signing key"),
        ] = None,
        allow_unsigned: Annotated[
            bool, typer.Option("--allow-unsigned", help="允许未签名台账（仅本地试用）/ serve an unsigned ledger (trials)")
        ] = False,
        rules_dir: Annotated[
            Path | None,
            typer.Option("--rules-dir", help="规则目录（工作台保存的规则集版本）/ rule directory of saved versions"),
        ] = None,
        pool: Annotated[
            Path | None, typer.Option("--pool", help="专家库（pool.yaml 或 experts.csv）/ expert pool file")
        ] = None,
        log_level: Annotated[str, typer.Option("--log-level", help="uvicorn log level")] = "info",
        lang: LangOption = Lang.zh,
    ) -> None:
        """以 HTTP 服务提供评估与前置门槛（默认仅本机可访问）。/ Serve the gate over HTTP (loopback by default)."""
        import uvicorn

        from ..service.settings import SETTINGS_ENV, Settings
        from ..service.state import ensure_ledger, load_rulesets
        from ..service.tokens import load_tokens
        from ..web.session import SECRET_ENV

        code = normalize_lang(lang)
        settings = Settings(
            rules=rules,
            ledger=ledger.resolve(),
            tokens=tokens.resolve(),
            batch_workers=batch_workers,
            max_upload_bytes=max_upload_mb * 1024 * 1024,
            signing_key=signing_key.resolve() if signing_key is not None else None,
            allow_unsigned=allow_unsigned,
            rules_dir=rules_dir.resolve() if rules_dir is not None else None,
            pool=pool.resolve() if pool is not None else None,
        )
        loaded = load_rulesets(list(settings.rules))  # errors are reported now, not in a worker
        if settings.pool is not None:  # the 专家 page's pool: its errors now too
            from expert_pool.reading import load_pool

            load_pool(settings.pool)
        entries = load_tokens(settings.tokens)
        opened = ensure_ledger(settings.ledger, settings.signing_key, allow_unsigned=allow_unsigned)
        try:
            records, signed = len(opened), opened.signed
        finally:
            opened.close()
        ids = ", ".join(dict.fromkeys(rs.id for rs in loaded.values()))
        if not entries:
            typer.echo(t("serve.no_tokens", code, path=settings.tokens), err=True)
        typer.echo(
            t(
                "serve.start", code, host=host, port=port, rules=ids, ledger=settings.ledger, records=records,
                tokens=len(entries), signed=t("serve.signed" if signed else "serve.unsigned", code),
            ),
            err=True,
        )
        os.environ[SETTINGS_ENV] = settings.model_dump_json()
        os.environ.setdefault(SECRET_ENV, secrets.token_hex(32))  # one session secret for every worker
        config = uvicorn.Config(
            "riskeval.service.app:app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level=log_level,
            proxy_headers=False,
        )
        if workers == 1:
            uvicorn.Server(config).run()
            return
        from uvicorn.supervisors import Multiprocess

        Multiprocess(config, sockets=[_tcp_socket(host, port)]).run()

    @token_app.command("add")
    def token_add(
        tokens: Annotated[Path, typer.Option("--tokens", help="令牌文件 TOKENS.yaml / tokens file")],
        name: Annotated[str, typer.Option("--name", help="令牌名称（记入台账的记录人）/ name recorded as actor")],
        role: Annotated[str, typer.Option("--role", help="assessor | decider | auditor | admin")],
        lang: LangOption = Lang.zh,
    ) -> None:
        """创建随机令牌，只保存其 sha256，并只显示一次。/ Create a token; only its hash is stored."""
        from ..service.tokens import add_token

        code = normalize_lang(lang)
        token = add_token(tokens, name, role)
        typer.echo(t("token.added", code, name=name.strip(), role=role, path=tokens), err=True)
        typer.echo(token)
