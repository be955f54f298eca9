class VietnameseFirstMiddleware:
    """The interface is Vietnamese unless the visitor picks English with the switcher.

    Django's LocaleMiddleware would otherwise follow the browser's Accept-Language header, and a
    phone set to English would get English pages without asking. Place before LocaleMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
