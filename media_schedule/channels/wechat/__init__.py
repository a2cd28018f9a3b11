"""The WeChat Official Account outlet: the article version (``version``), the platform API
and its shared access token (``token``), and the adapter that publishes (``adapter``)."""
