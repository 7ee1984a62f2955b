"""A tiny zh/en message catalogue.

Modules register their own messages next to the code that uses them, so that each
helper keeps its user-facing text in one place::

    register_messages({"hello": {"zh": "你好，{name}", "en": "Hello, {name}"}})
    t("hello", "en", name="Li")

Examples
--------
>>> register_messages({"doctest.greet": {"zh": "你好，{name}", "en": "Hello, {name}"}})
>>> t("doctest.greet", "en", name="Li")
'Hello, Li'
>>> t("doctest.greet", name="李")
'你好，李'
"""

from __future__ import annotations

from typing import Literal

__all__ = ["DuplicateMessage", "Lang", "LANGS", "register_messages", "t", "normalize_lang"]

Lang = Literal["zh", "en"]
LANGS: tuple[str, ...] = ("zh", "en")

_CATALOGUE: dict[str, dict[str, str]] = {}


class DuplicateMessage(ValueError):
    """A message key registered twice (a programming error, raised at import)."""


def register_messages(messages: dict[str, dict[str, str]]) -> None:
    """Add messages ``{key: {"zh": ..., "en": ...}}`` to the one catalogue of riskeval and expert_pool.

    Raises
    ------
    DuplicateMessage
        If a key is already registered (two modules must not share or overwrite a message).
    ValueError
        If a language is missing.
    """
    for key, texts in messages.items():
        missing = [lang for lang in LANGS if lang not in texts]
        if missing:
            raise ValueError(f"message {key!r} lacks {missing}")
        if key in _CATALOGUE:
            raise DuplicateMessage(f"message {key!r} is registered twice")
    for key, texts in messages.items():
        _CATALOGUE[key] = dict(texts)


def normalize_lang(lang: str | None) -> Lang:
    """Return ``"en"`` for English spellings and ``"zh"`` for everything else."""
    if lang and lang.lower().startswith("en"):
        return "en"
    return "zh"


def t(key: str, lang: str | None = "zh", /, **params: object) -> str:
    """Render message ``key`` in ``lang`` with ``params``; unknown keys render as the key."""
    texts = _CATALOGUE.get(key)
    if texts is None:
        return key if not params else f"{key} {params}"
    template = texts[normalize_lang(lang)]
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template
