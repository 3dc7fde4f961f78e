"""Settings for the demo app. Secrets come from the environment, never from the source."""

import os


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", "/var/www/uploads")
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
