"""Settings for the demo app.

FLK104 (hardcoded-secret-key): this is the key printed in the Flask quickstart. Anyone who reads
this file (or the quickstart) can sign a session cookie that the app will trust. Read the key from
the environment instead.
"""


class Config:
    SECRET_KEY = b'_5#y2L"F4Q8z\n\xec]/'
    UPLOAD_FOLDER = "/var/www/uploads"
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
