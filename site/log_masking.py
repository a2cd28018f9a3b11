"""Secrets kept out of logs: tokens in query strings and bearer credentials are masked.

An LED controller that cannot set headers pulls with ``?token=…``; web servers and Django
log the request line, so every log line passes through ``mask_secrets`` first.
"""

import logging
import re

MASK = "***"
SECRET_QUERY = re.compile(
    r"(?P<name>(?<![\w.-])(?:token|access_token|secret|password)=)[^&;#\s\"']+", re.IGNORECASE
)
BEARER = re.compile(r"(?P<name>\bBearer\s+)[^\s\"',;]+", re.IGNORECASE)
# Request headers and environ entries whose whole value is a credential.
SECRET_HEADERS = re.compile(r"authorization|cookie|token|secret", re.IGNORECASE)


def mask_secrets(text: str) -> str:
    """``text`` with secret query parameters and bearer tokens replaced by ``***``."""
    text = SECRET_QUERY.sub(rf"\g<name>{MASK}", text)
    return BEARER.sub(rf"\g<name>{MASK}", text)


class MaskSecretsFilter(logging.Filter):
    """Rewrite a record whose formatted message would carry a secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_secrets(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
