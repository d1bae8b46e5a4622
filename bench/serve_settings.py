"""Settings for bench/serve_bench.py only: the site's own settings, with the floor view's URL added.

Importable when bench/ is on the path (``gunicorn --pythonpath``, ``PYTHONPATH``);
nothing in config/ or newsroom/ knows about it.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "serve_urls"
