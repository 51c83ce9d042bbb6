from tests.mailflow.quarantine.support import engine  # noqa: F401 - fixture
