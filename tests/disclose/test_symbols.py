"""The GSS symbol key."""

import pytest

from torbayreport.disclose import SYMBOLS, key_markdown, symbols_used


def test_symbols_are_the_gss_shorthand():
    assert list(SYMBOLS) == ["[c]", "[x]", "[z]", "[low]"]


def test_key_lists_only_symbols_used():
    used = symbols_used(["12", "[c]", "45.0%"], ["[z]", "0"])
    assert used == ["[c]", "[z]"]
    key = key_markdown(used, threshold=5)
    lines = key.splitlines()
    assert lines[:2] == ["| Symbol | Meaning |", "|:--|:--|"]
    assert lines[2].startswith("| [c] | confidential: a number from 1 to 5,")
    assert lines[3].startswith("| [z] | not applicable")
    assert "[x]" not in key and "[low]" not in key
    assert lines[-1].startswith("| 0 | a true zero")


def test_key_threshold_and_unknown_symbol():
    assert "from 1 to 9," in key_markdown(threshold=9)
    with pytest.raises(ValueError, match="unknown symbols"):
        key_markdown(["*"])


def test_key_explains_not_available_and_not_applicable():
    key = key_markdown(["[x]", "[z]"])
    assert "| [x] | not available: the data do not support this figure" in key
    assert "too short a history" in key
    assert "| [z] | not applicable: nothing to count" in key
