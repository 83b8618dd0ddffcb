"""Settings for both of the project's test suites (tests/ and contracts/).

Every response the mock renders in these suites is also rendered through its pydantic model
and compared byte for byte (mockserver.models.wire.VERIFY): the fast rendering path must give
exactly what the models would. Servers the tests start as processes inherit the setting from
the environment.
"""

from __future__ import annotations

import os

from mockserver.models import wire

os.environ["STYTCH_MOCK_VERIFY_RENDERING"] = "1"
wire.VERIFY = True
