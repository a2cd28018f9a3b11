"""Gunicorn settings of the project: an access log that never shows a screen's token.

Use with ``gunicorn -c python:outreach_site.gunicorn_conf outreach_site.wsgi …``; the command
line still chooses the address, workers and log files.
"""

from gunicorn.glogging import Logger

from outreach_site.log_masking import MASK, SECRET_HEADERS, MaskSecretsFilter, mask_secrets


class MaskingLogger(Logger):
    """Gunicorn's logger with secrets masked in every access-log atom and error message.

    The request line (``%(r)s``), query (``%(q)s``) and referrer carry ``?token=`` masked;
    credential headers and environ entries (``%({authorization}i)s`` …) are masked whole.
    """

    def setup(self, cfg):
        super().setup(cfg)
        # Setup runs again on every reload: one filter per logger is enough.
        for log in (self.error_log, self.access_log):
            if not any(isinstance(existing, MaskSecretsFilter) for existing in log.filters):
                log.addFilter(MaskSecretsFilter())

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key, value in atoms.items():
            if not isinstance(value, str):
                continue
            if key.startswith("{") and SECRET_HEADERS.search(key) and value != "-":
                atoms[key] = MASK
            else:
                atoms[key] = mask_secrets(value)
        return atoms


logger_class = MaskingLogger
# Browsers and controllers talk to gunicorn directly in the embedded run. gunicorn's default of
# 2 s is shorter than the pause between a person's clicks, so the connection was often closed
# just as the next request went out on it (a reset for a client that does not send again).
keepalive = 5
