"""The gate as a service: ``riskeval serve``, an HTTP API with roles over the same ledger.

A second thin shell over the library (beside the ``riskeval`` command): FastAPI on uvicorn, JSON under
``/api/v1``, bearer tokens whose sha256 is kept in a YAML file, and every error as
``application/problem+json`` (RFC 9457). See :func:`create_app` and ``riskeval serve --help``.
"""

from .app import app_from_env, create_app
from .errors import ServiceError, TokensFileError
from .settings import Settings
from .tokens import Role, add_token, hash_token, load_tokens

__all__ = [
    "Role",
    "ServiceError",
    "Settings",
    "TokensFileError",
    "add_token",
    "app_from_env",
    "create_app",
    "hash_token",
    "load_tokens",
]
