"""Container HEALTHCHECK: exit 0 when this container's service answers ``/healthz`` with 200.

Standard library only (the image has no curl); the port is ``MUSETTE_PORT`` (8000).
A container that runs a one-off command (``migrate``) has no server: compose gives it none.
"""

import os
import sys
import urllib.request

PATH = sys.argv[1] if len(sys.argv) > 1 else "/healthz"
URL = f"http://127.0.0.1:{os.environ.get('MUSETTE_PORT', '8000')}{PATH}"

try:
    with urllib.request.urlopen(URL, timeout=3) as response:
        sys.exit(0 if response.status == 200 else 1)
except OSError as exc:
    sys.stderr.write(f"healthcheck: {URL}: {exc}\n")
    sys.exit(1)
