"""The runnable examples in the estimators' docstrings stay true."""

from __future__ import annotations

import doctest

import pytest

from sentinelle.evaluate import displacement, effects, power, staggered, usefulness


@pytest.mark.parametrize("module", [effects, displacement, power, staggered, usefulness])
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
