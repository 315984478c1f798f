"""A short run of benchmarks/load.py: concurrent clients under gunicorn lose no acknowledged write."""

import importlib.util
import os
from pathlib import Path

import pytest

LOAD = Path(__file__).resolve().parent.parent / "benchmarks" / "load.py"
spec = importlib.util.spec_from_file_location("load_benchmark", LOAD)
load = importlib.util.module_from_spec(spec)
spec.loader.exec_module(load)

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("CASETRACK_TEST_DATABASE_URL") else [])


@pytest.mark.parametrize("backend", BACKENDS)
def test_concurrent_clients_get_no_errors_and_every_acknowledged_write_is_stored(backend, tmp_path):
    if backend == "sqlite":
        result = load.run(f"sqlite:///{tmp_path / 'load.sqlite'}", seconds=4, clients=6, workers=3)
    else:
        url, schema = load._postgres_schema_url(os.environ["CASETRACK_TEST_DATABASE_URL"])
        try:
            result = load.run(url, seconds=4, clients=6, workers=3)
        finally:
            load._drop_schema(os.environ["CASETRACK_TEST_DATABASE_URL"], schema)
    assert result["errors"] == 0, result["error_samples"]
    assert result["writes_acknowledged"] > 0
    assert result["writes_found"] == result["writes_acknowledged"], result["lost"]
