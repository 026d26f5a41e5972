"""Shared fixtures: a fresh build of the shipped data, and the atlas loaded from it."""

import pytest

from dashboard.data import load_atlas
from etl import build


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("processed")
    build(out=out)
    return out


@pytest.fixture(scope="session")
def atlas(built):
    return load_atlas(built)
