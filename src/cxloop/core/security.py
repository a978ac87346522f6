"""Passwords (argon2), API keys (random, stored as SHA-256), roles and signed tokens."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from enum import StrEnum
from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from cxloop.core.errors import Gone, NotFound


# The test suite sets CXLOOP_TEST_FAST_HASH=1 (argon2's cheapest profile); hashes carry their
# parameters, so verification works whichever profile made them.
@cache
def _hasher() -> PasswordHasher:
    fast = os.environ.get("CXLOOP_TEST_FAST_HASH") == "1"
    return PasswordHasher.from_parameters(
        profiles.CHEAPEST if fast else profiles.RFC_9106_LOW_MEMORY
    )


API_KEY_PREFIX = "cxk_"


class Role(StrEnum):
    owner = "owner"
    admin = "admin"
    analyst = "analyst"
    agent = "agent"
    viewer = "viewer"


_RANK = {Role.viewer: 0, Role.agent: 1, Role.analyst: 2, Role.admin: 3, Role.owner: 4}


def role_at_least(role: Role | str, minimum: Role) -> bool:
    return _RANK[Role(role)] >= _RANK[minimum]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_api_key() -> tuple[str, str, str]:
    """A fresh key: (the key shown once, its public prefix, its stored hash)."""
    prefix = secrets.token_hex(4)
    key = f"{API_KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    return key, prefix, hash_api_key(key)


def hash_api_key(key: str) -> str:
    """Keys carry 256 random bits, so a fast hash suffices (as GitHub and Stripe tokens do)."""
    return hashlib.sha256(key.encode()).hexdigest()


def api_key_prefix(key: str) -> str | None:
    if not key.startswith(API_KEY_PREFIX):
        return None
    parts = key[len(API_KEY_PREFIX) :].split("_", 1)
    return parts[0] if len(parts) == 2 else None


def same_hash(a: str, b: str) -> bool:
    return hmac.compare_digest(a, b)


def new_public_token() -> str:
    """An unguessable token for public links (128 random bits)."""
    return secrets.token_urlsafe(16)


class LinkSigner:
    """Signs personal survey links so they can be checked without a lookup table."""

    def __init__(self, secret: str, salt: str = "survey-link") -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt=salt)

    def sign(self, payload: dict[str, str]) -> str:
        return self._serializer.dumps(payload)

    def verify(self, token: str, max_age_seconds: int) -> dict[str, str]:
        try:
            data = self._serializer.loads(token, max_age=max_age_seconds)
        except SignatureExpired as exc:
            raise Gone("this survey link has expired; ask for a new one") from exc
        except BadSignature as exc:
            raise NotFound("this survey link is not valid") from exc
        if not isinstance(data, dict):
            raise NotFound("this survey link is not valid")
        return {str(k): str(v) for k, v in data.items()}
