"""The fixtures the reports share with the apps they read: the hand-built 16.10.1
dataset of 2025 (stats) and the Colombian case with two consents (communications)."""

from vigil.communications.tests.conftest import case  # noqa: F401
from vigil.stats.tests.conftest import dataset  # noqa: F401
