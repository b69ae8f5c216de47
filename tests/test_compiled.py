"""The optional compiled survey tally gives the numpy path's integers exactly."""

from __future__ import annotations

import numpy as np
import pytest

from pelayanan_eval.exceptions import OptionError
from pelayanan_eval.ikm import _tally
from pelayanan_eval.ikm._compiled import count_compiled, tally_rows
from pelayanan_eval.ikm._tally import count_answers


def random_answers(rows: int, width: int, groups: int, top: int, seed: int) -> tuple:
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, groups, rows)
    answers = rng.integers(0, top + 1, (rows, width)).astype(np.uint8)
    answers[rng.random(rows) < 0.05] = 0  # some blank questionnaires
    return codes, answers


def test_hand_worked_tally() -> None:
    """Three rows, two groups, two unsur: sums, counts, blank rows and rows by hand."""
    codes = np.array([0, 0, 1])
    answers = np.array([[1, 0], [4, 3], [0, 0]], dtype=np.uint8)
    # group 0: unsur 1 answered 1 and 4 (sum 5, 2 answers), unsur 2 answered 3 once;
    # group 1: one blank questionnaire
    sums, counts, blank, rows = count_compiled(tally_rows, codes, answers, 2)
    assert sums.tolist() == [[5, 3], [0, 0]]
    assert counts.tolist() == [[2, 1], [0, 0]]
    assert blank.tolist() == [0, 1]
    assert rows.tolist() == [2, 1]


def test_python_kernel_matches_numpy_past_the_flush() -> None:
    """The kernel as plain Python equals the bincount path with > 1,023 rows per group."""
    codes, answers = random_answers(2_600, 3, 2, 255, seed=1)  # answers up to 255
    expected = count_answers(codes, answers, 2, 255, compiled=False)
    for mine, reference in zip(
        count_compiled(tally_rows, codes, answers, 2), expected, strict=True
    ):
        np.testing.assert_array_equal(mine, reference)


@pytest.mark.parametrize("code_type", [np.int32, np.intp])
def test_compiled_kernel_matches_numpy(code_type: type) -> None:
    """The kernel compiled by numba equals the bincount path (8 groups of ~6,000 rows, 9 unsur)."""
    pytest.importorskip("numba")
    codes, answers = random_answers(50_000, 9, 8, 4, seed=2)
    codes = codes.astype(code_type)
    answers.flags.writeable = False  # as ikm.Responses stores them
    expected = count_answers(codes, answers, 8, 4, compiled=False)
    for mine, reference in zip(
        count_answers(codes, answers, 8, 4, compiled=True), expected, strict=True
    ):
        np.testing.assert_array_equal(mine, reference)


def test_compiled_needs_numba(monkeypatch: pytest.MonkeyPatch) -> None:
    """Asking for the compiled kernel without numba names the extra to install."""
    monkeypatch.setattr(_tally, "compiled_tally", lambda: None)
    codes, answers = random_answers(10, 2, 2, 4, seed=3)
    with pytest.raises(OptionError, match=r"needs numba: pip install 'pelayanan-eval\[fast\]'"):
        count_answers(codes, answers, 2, 4, compiled=True)
    sums, *_ = count_answers(codes, answers, 2, 4)  # automatic: falls back to numpy
    assert sums.sum() == answers.astype(int).sum()


def test_code_outside_groups_is_refused() -> None:
    """A group code outside 0..groups-1 stops the tally and names the row."""
    codes = np.array([0, 5, 1])
    answers = np.ones((3, 2), dtype=np.uint8)
    with pytest.raises(ValueError, match=r"row 1 has group 5, not in 0\.\.1"):
        count_compiled(tally_rows, codes, answers, 2)


def test_no_compiled_kernel_when_numba_jit_is_disabled(monkeypatch: pytest.MonkeyPatch) -> None:
    """With NUMBA_DISABLE_JIT the 'compiled' kernel would be a Python loop: numpy is used."""
    numba = pytest.importorskip("numba")
    from pelayanan_eval.ikm._compiled import compiled_tally

    monkeypatch.setattr(numba.config, "DISABLE_JIT", True)
    compiled_tally.cache_clear()
    try:
        assert compiled_tally() is None
    finally:
        monkeypatch.undo()
        compiled_tally.cache_clear()
    assert compiled_tally() is not None


@pytest.mark.parametrize("threads", [2, 3])
def test_parts_in_threads_add_up(threads: int) -> None:
    """Rows cut into parts tallied in threads give the one-pass integers; errors name the row."""
    codes, answers = random_answers(3_001, 4, 3, 4, seed=4)
    expected = count_answers(codes, answers, 3, 4, compiled=False)
    mine = count_compiled(tally_rows, codes, answers, 3, threads=threads)
    for part, reference in zip(mine, expected, strict=True):
        np.testing.assert_array_equal(part, reference)
    codes[2_500] = 7  # in the last part
    with pytest.raises(ValueError, match=r"row 2500 has group 7, not in 0\.\.2"):
        count_compiled(tally_rows, codes, answers, 3, threads=threads)
