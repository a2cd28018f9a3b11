"""Language selection for the public site."""

from django.conf import settings
from django.utils import translation


class DefaultLanguageMiddleware:
    """Activate the visitor's chosen language (cookie), else the site's default (zh-hans).

    Unlike Django's LocaleMiddleware the browser's Accept-Language is ignored: a
    government column is Chinese unless the visitor picks English.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        # Scoped to the request: a thread that serves an English page must not go on to
        # write English into rows (delivery errors, log entries) for other work.
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
