"""The app factory: settings, collaborators, blueprints, error handlers. `gunicorn flask_app:app`."""

from __future__ import annotations

import logging
import os

from flask import Flask

from map_converter.settings import Settings
from web import api, page
from web.errors import register_error_handlers
from web.housekeeping import register_housekeeping
from web.services import init_services


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app; settings come from MAPLINK_* variables, then test_config."""
    app = Flask(__name__)
    settings = Settings.from_environ(os.environ, test_config)
    app.config.from_mapping(settings.as_config(), MAX_CONTENT_LENGTH=settings.MAX_UPLOAD_BYTES)
    app.config.from_mapping({k: v for k, v in (test_config or {}).items() if k not in app.config})
    services = init_services(app, settings)
    app.register_blueprint(page.bp)
    app.register_blueprint(api.bp)
    page.register_security_headers(app)
    register_error_handlers(app)
    register_housekeeping(app, services)
    return app


app = create_app()

if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "8000")), debug=False)
