"""The local web app of ``programfinder serve``: search, records, draft comparison, statistics,
and a JSON twin of each page. Imported only by the ``serve`` command (and by whoever wants the
ASGI app: ``programfinder.web.app.create_app``); the library never imports it."""
