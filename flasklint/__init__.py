"""flasklint: a static-analysis linter for Flask applications.

The linter never imports or executes the code it analyses: editors open untrusted repositories.
"""

__version__ = "0.1.0"
