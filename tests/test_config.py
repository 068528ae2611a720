"""Settings: environment overrides, and every field documented in the README."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT
from rag.config import SETTINGS_FIELDS, Settings
from rag.errors import ConfigError


def test_environment_overrides_defaults_and_keywords_override_both():
    s = Settings.from_env({"RAG_TOP_K": "9", "RAG_DOCS_DIR": "/tmp/docs", "RAG_ABSTAIN_THRESHOLD": "0.5"}, top_k=3)
    assert s.top_k == 3
    assert s.docs_dir == Path("/tmp/docs")
    assert s.abstain_threshold == 0.5


def test_a_bad_environment_value_names_the_variable():
    with pytest.raises(ConfigError, match="RAG_TOP_K"):
        Settings.from_env({"RAG_TOP_K": "many"})


@pytest.mark.parametrize("variable,value", [("RAG_READER_FIRST", "-1"), ("RAG_READER_SURE", "1.5"), ("RAG_READER_CANDIDATES", "0")])
def test_reading_settings_out_of_range_are_refused_by_name(variable, value):
    with pytest.raises(ConfigError, match=variable):
        Settings.from_env({variable: value})


@pytest.mark.parametrize("name", SETTINGS_FIELDS)
def test_every_setting_is_documented_in_the_readme(name):
    assert f"`RAG_{name.upper()}`" in (ROOT / "README.md").read_text()


def test_a_named_collection_has_its_own_folders_outside_the_source_tree(tmp_path):
    from rag.errors import ConfigError

    named = Settings.from_env({"RAG_COLLECTION": "manuals", "RAG_DATA_DIR": str(tmp_path), "RAG_DOCS_DIR": "seeds"})
    assert named.docs_dir == tmp_path / "collections" / "manuals" / "documents"
    assert named.index_dir == tmp_path / "collections" / "manuals" / "index"
    with pytest.raises(ConfigError, match="not a collection name"):
        Settings(collection="../etc", data_dir=tmp_path)
