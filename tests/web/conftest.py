from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from civicpulse.store.database import connect, upgrade
from civicpulse.store.writer import Batch, StoreWriter
from civicpulse.testing import make_post

HOSTILE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> bold claim'


@pytest.fixture
def dashboard_engine(tmp_path: Path) -> Engine:
    engine = connect(f"sqlite:///{tmp_path / 'dash.db'}")
    upgrade(engine)
    StoreWriter(engine).write(Batch(posts=[make_post(1, "Calm morning in the park"), make_post(2, HOSTILE)]))
    return engine
