"""The pelayanan-eval command line."""

from __future__ import annotations

import errno
import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pelayanan_eval._cli.main import build_parser, main
from tests.conftest import MINI_YAML, TWO_LEVEL


def test_rubrics_lists_bundled(capsys: pytest.CaptureFixture[str]) -> None:
    """'rubrics' prints one line per bundled rubric with its status."""
    assert main(["rubrics"]) == 0
    out = capsys.readouterr().out
    assert "permenpanrb-17-2017" in out and "provisional" in out
    assert len(out.strip().splitlines()) == 5


def test_rubric_show_prints_effective_weights(capsys: pytest.CaptureFixture[str]) -> None:
    """'rubric show' prints the tree with effective weights (1.a.K1 = 30 % x 5/56 = 2.679 %)."""
    assert main(["rubric", "show", "permenpanrb-17-2017"]) == 0
    captured = capsys.readouterr()
    assert " 30.000%  kebijakan  Kebijakan Pelayanan" in captured.out
    assert "  2.679%    1.a.K1  " in captured.out
    assert "note: rubric 'permenpanrb-17-2017' is provisional" in captured.err


def test_rubric_check_ok(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """'rubric check' on a valid file exits 0."""
    path = tmp_path / "mini.yaml"
    path.write_text(MINI_YAML, encoding="utf-8")
    assert main(["rubric", "check", str(path)]) == 0
    assert f"{path}: ok (3 scored criteria, verified)" in capsys.readouterr().out


def test_rubric_check_lists_all_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """'rubric check' prints every problem with file:line and exits 1."""
    path = tmp_path / "bad.yaml"
    path.write_text(
        MINI_YAML.replace("weight: 40%", "weight: -1").replace("{id: a2,", "{id: a1,"),
        encoding="utf-8",
    )
    assert main(["rubric", "check", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:21: criteria[0].criteria[1].id: duplicate id 'a1'" in err
    assert f"{path}:24: criteria[1].weight: must be > 0, got -1" in err


def test_grade_command(capsys: pytest.CaptureFixture[str]) -> None:
    """'grade' prints value, rounded value, code and label."""
    assert main(["grade", "permenpanrb-17-2017", "4.505", "2.92"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "4.505\t4.51\tA\tPelayanan Prima",
        "2.92\t2.92\tC\tCukup",
    ]


@pytest.mark.parametrize("flag", ["--reported", "--converted"])
def test_grade_reported_scale(flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    """'grade --reported' (or its old name --converted) grades IKM values on 25-100."""
    # 85.25 lies in B (76.61-88.30) and 88.305 rounds half up to 88.31, in A
    assert main(["grade", "permenpanrb-14-2017-ikm", flag, "85.25", "88.305"]) == 0
    rows = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert [(row[1], row[2]) for row in rows] == [("85.25", "B"), ("88.31", "A")]


def test_grade_out_of_range_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    """An ungradable value exits 1 with the library's message, no traceback."""
    assert main(["grade", "permenpanrb-17-2017", "7"]) == 1
    assert "error: cannot grade under rubric 'permenpanrb-17-2017'" in capsys.readouterr().err


def test_unknown_rubric_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown rubric id exits 1 listing the available ones."""
    assert main(["rubric", "show", "permenpanrb-17"]) == 1
    assert "available: bps-indeks-kebahagiaan-2017" in capsys.readouterr().err


def test_python_dash_m_runs() -> None:
    """'python -m pelayanan_eval rubrics' works and exits 0."""
    result = subprocess.run(
        [sys.executable, "-m", "pelayanan_eval", "rubrics"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "permenpanrb-14-2017-ikm" in result.stdout


def test_demo_prints_rankings_and_a_card(capsys: pytest.CaptureFixture[str]) -> None:
    """'demo' labels the data synthetic, ranks each category with awards, shows the lowest card."""
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("SYNTHETIC DATA")
    for category in ("kelurahan", "puskesmas", "opd"):
        assert f"category {category} (" in out
    assert out.count("* award") == 6
    assert "Report card of the lowest unit" in out and "path to" in out
    assert "agreement between assessors: Krippendorff's alpha (ordinal" in out
    assert "0.75 x F-02 + 0.25 x F-03" in out and "F-03    n" in out
    assert "Happiness index (bps-indeks-kebahagiaan-2017, provisional; a SYNTHETIC" in out


def test_evaluate_csv_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Exported demo CSVs evaluate to the same indices as the in-memory demo."""
    import json

    import pelayanan_eval as pe

    assert main(["demo", "--export", str(tmp_path)]) == 0
    capsys.readouterr()
    code = main(["evaluate", "--rubric", "permenpanrb-17-2017", "--units", str(tmp_path / "units.csv"),
                 "--observations", str(tmp_path / "observations.csv"), "--format", "json"])  # fmt: skip
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    city = pe.demo_city()
    expected = pe.evaluate(city.rubric, city.observations, units=city.units)
    by_unit = {r["unit"]: r["index"] for r in result["units"]}
    assert by_unit == pytest.approx(
        dict(zip(expected.units.ids.tolist(), expected.index.tolist(), strict=True))
    )
    assert result["settings"]["aggregation"]["method"] == "mean"


def test_evaluate_csv_error_names_file_row_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad cell in the observations CSV is reported with file, line and column."""
    path = tmp_path / "obs.csv"
    path.write_text("unit,visit,persyaratan\nkel-a,1,4\nkel-a,2,lima\n", encoding="utf-8")
    code = main(["evaluate", "--rubric", "permenpanrb-14-2017-ikm", "--observations", str(path)])
    assert code == 1
    assert (
        f"{path} row 3, column 'persyaratan': must be a number, got 'lima'"
        in capsys.readouterr().err
    )


def test_evaluate_top_k_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--top 1 prints only the best unit of each category."""
    main(["demo", "--export", str(tmp_path)])
    capsys.readouterr()
    main(["evaluate", "--rubric", "permenpanrb-17-2017", "--units", str(tmp_path / "units.csv"),
          "--observations", str(tmp_path / "observations.csv"), "--top", "1"])  # fmt: skip
    out = capsys.readouterr().out
    assert out.count("* award") == 3


def test_ikm_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """'ikm' reads a CSV and prints IKM, mutu and kinerja; printed weights change the number."""
    leaves = [
        "persyaratan",
        "prosedur",
        "waktu",
        "biaya",
        "produk",
        "kompetensi",
        "perilaku",
        "pengaduan",
        "sarana",
    ]
    rows = (
        ["unit," + ",".join(leaves)]
        + [f"kel-a,{','.join(['3'] * 9)}"] * 59
        + [f"kel-a,{','.join(['4'] * 9)}"] * 41
    )
    path = tmp_path / "skm.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert main(["ikm", str(path)]) == 0
    assert (
        "kel-a                            100   3.4100   85.25  B    Baik"
        in capsys.readouterr().out
    )
    assert main(["ikm", str(path), "--weights", "printed", "--format", "json"]) == 0
    result = __import__("json").loads(capsys.readouterr().out)
    # 3.41 x 9 x 0.111 = 3.40659 -> x25 = 85.16475 -> 85.16
    assert result["units"][0]["rounded"] == 85.16
    assert result["conventions"]["weights"].startswith("printed 0.111")


def test_sample_size_command(capsys: pytest.CaptureFixture[str]) -> None:
    """'sample-size' prints Krejcie & Morgan sizes (15 -> 14, 9000 -> 368)."""
    assert main(["sample-size", "15", "9000"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == ["15\t14", "9000\t368"]


def test_evaluate_ranking_and_missing_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--tiebreak settles a tie; --order, --missing and --min-coverage reach evaluate()."""
    import json

    rubric = tmp_path / "two.yaml"
    rubric.write_text(TWO_LEVEL, encoding="utf-8")
    units = tmp_path / "units.csv"
    units.write_text("id,name,category\nu2,Dua,kel\nu5,Lima,kel\n", encoding="utf-8")
    observations = tmp_path / "obs.csv"
    # both index 2.90 (u2: A 3, B 2.75; u5: A 3.5, B 2); u5 has the higher aspect A
    observations.write_text(
        "unit,visit,a1,a2,b1,b2\nu2,1,3,2,3,2\nu2,2,3,4,3,3\nu5,1,3,4,2,2\nu5,2,4,3,2,2\n",
        encoding="utf-8",
    )
    common = ["evaluate", "--rubric", str(rubric), "--units", str(units),
              "--observations", str(observations), "--format", "json"]  # fmt: skip

    def ranks(*options: str) -> tuple[dict[str, float], dict[str, object]]:
        assert main([*common, *options]) == 0
        result = json.loads(capsys.readouterr().out)
        return {r["unit"]: r["rank"] for r in result["units"]}, result["settings"]

    assert ranks()[0] == {"u2": 1.0, "u5": 1.0}
    assert ranks("--tiebreak", "A")[0] == {"u5": 1.0, "u2": 2.0}
    assert ranks("--ties", "ordinal", "--tiebreak", "id")[0] == {"u2": 1.0, "u5": 2.0}
    assert main([*common, "--ties", "dense", "--tiebreak", "A,id"]) == 0
    assert json.loads(capsys.readouterr().out)["ranking"] == {
        "within": "category", "ties": "dense", "tiebreak": ["A", "id"], "top": None,
    }  # fmt: skip
    _, settings = ranks("--order", "visits_first", "--missing", "renormalize",
                        "--min-coverage", "0.3")  # fmt: skip
    assert (settings["order"], settings["missing"], settings["min_coverage"]) == (
        "visits_first", "renormalize", 0.3,
    )  # fmt: skip


def test_evaluate_refuses_unclear_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--top 0, a misspelled units column and an unknown tie-breaker are errors, not guesses."""
    main(["demo", "--export", str(tmp_path)])
    capsys.readouterr()
    common = ["evaluate", "--rubric", "permenpanrb-17-2017",
              "--observations", str(tmp_path / "observations.csv")]  # fmt: skip
    with pytest.raises(SystemExit):
        main([*common, "--top", "0"])
    assert "expected a positive whole number, got '0'" in capsys.readouterr().err
    units = (tmp_path / "units.csv").read_text(encoding="utf-8").replace("category", "kategori")
    (tmp_path / "units2.csv").write_text(units, encoding="utf-8")
    assert main([*common, "--units", str(tmp_path / "units2.csv")]) == 1
    assert "column(s) 'kategori' (did you mean 'category'?) not understood" in (
        capsys.readouterr().err
    )
    assert main([*common, "--tiebreak", "kebijkan"]) == 1
    assert "unknown tie-breaker 'kebijkan' (did you mean 'kebijakan'?)" in capsys.readouterr().err


def test_table_shows_partial_coverage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Under renormalize a unit scored on part of the weight says so in the table."""
    rubric = tmp_path / "two.yaml"
    rubric.write_text(TWO_LEVEL, encoding="utf-8")
    observations = tmp_path / "obs.csv"
    # u1: b1 and b2 never scored -> B unscored; A carries 60 % of the weight
    observations.write_text("unit,visit,a1,a2,b1,b2\nu1,1,4,4,,\nu2,1,3,3,3,3\n", encoding="utf-8")
    assert main(["evaluate", "--rubric", str(rubric), "--observations", str(observations),
                 "--missing", "renormalize", "--within", "none"]) == 0  # fmt: skip
    lines = capsys.readouterr().out.splitlines()
    assert next(line for line in lines if "u1" in line).endswith("(scored 60% of the weight)")
    assert not next(line for line in lines if "u2" in line).endswith("weight)")


SRC = Path(__file__).resolve().parents[1] / "src"


def cli(*args: str, **options: Any) -> subprocess.CompletedProcess[str]:
    """Run ``python -m pelayanan_eval`` on this checkout's source in a new process."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
    }
    options = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **options}
    return subprocess.run(
        [sys.executable, "-m", "pelayanan_eval", *args],
        text=True, env=env, check=False, **options,
    )  # fmt: skip


def assert_error(err: str, *parts: str) -> None:
    """`err` is one ``error:`` report (its first line), holding `parts`, and no traceback."""
    assert err.startswith("error: "), err
    assert "Traceback" not in err and "Exception ignored" not in err, err
    for part in parts:
        assert part in err, (part, err)


HOSTILE_RUBRICS = {
    "bad YAML": "schema: 1\ncriteria: [\n",
    "not a mapping": "- just\n- a list\n",
    "a bad date": MINI_YAML.replace("title: Mini rubric", "title: 2024-13-45"),
    "a bad !!int": MINI_YAML.replace("title: Mini rubric", "title: !!int x"),
    "a bad !!bool": MINI_YAML.replace("title: Mini rubric", "title: !!bool x"),
    "a 5000-digit weight": MINI_YAML.replace("weight: 2,", "weight: " + "9" * 5000 + ","),
    "weights of 1e308": MINI_YAML.replace("weight: 2,", "weight: 1.0e+308,").replace(
        "weight: 1}", "weight: 1.0e+308}"
    ),
    "deep nesting": MINI_YAML + "extra: " + "[" * 5000 + "]" * 5000 + "\n",
    "not UTF-8": None,
}


def _rubric_commands(path: str, tmp_path: Path) -> list[list[str]]:
    observations = tmp_path / "obs.csv"
    observations.write_text("unit,visit,a1,a2,b\nu1,1,4,4,4\n", encoding="utf-8")
    return [
        ["rubric", "check", path],
        ["rubric", "show", path],
        ["evaluate", "--rubric", path, "--observations", str(observations)],
    ]


@pytest.mark.parametrize("case", sorted(HOSTILE_RUBRICS))
def test_hostile_rubric_file_is_one_error_line(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A rubric file that is bad YAML or hostile is an error line and exit 1 in every command."""
    path = tmp_path / "hostile.yaml"
    text = HOSTILE_RUBRICS[case]
    path.write_bytes(b"title: \xff\xfe\n" if text is None else text.encode("utf-8"))
    for command in _rubric_commands(str(path), tmp_path):
        assert main(command) == 1, command
        captured = capsys.readouterr()
        assert_error(captured.err, "hostile.yaml")
        assert captured.out == ""


@pytest.mark.parametrize(
    "case", ["a folder", "no such file", "a symlink loop", "a NUL in the path"]
)
def test_unreadable_rubric_path_is_one_error_line(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A rubric path that is a folder, missing, a symlink loop or has a NUL: error line, exit 1."""
    path = tmp_path / ("rubric.yaml\x00" if case == "a NUL in the path" else "rubric.yaml")
    if case == "a folder":
        path.mkdir()
    elif case == "a symlink loop":
        (tmp_path / "other.yaml").symlink_to(path)
        path.symlink_to(tmp_path / "other.yaml")
    named = "NUL" if case == "a NUL in the path" else "rubric.yaml"
    for command in _rubric_commands(str(path), tmp_path):
        assert main(command) == 1, command
        assert_error(capsys.readouterr().err, named)


def test_hostile_rubric_through_a_process(tmp_path: Path) -> None:
    """Run as a program, a hostile rubric file gives one error line, exit 1 and no traceback."""
    path = tmp_path / "hostile.yaml"
    path.write_text(HOSTILE_RUBRICS["a bad date"], encoding="utf-8")
    result = cli("rubric", "check", str(path))
    assert result.returncode == 1
    assert_error(result.stderr, "hostile.yaml")


def _evaluate_csv(tmp_path: Path, text: str, *options: str) -> list[str]:
    rubric = tmp_path / "two.yaml"
    rubric.write_text(TWO_LEVEL, encoding="utf-8")
    observations = tmp_path / "obs.csv"
    observations.write_text(text, encoding="utf-8")
    return ["evaluate", "--rubric", str(rubric), "--observations", str(observations), *options]


def test_huge_csv_field_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A CSV field over the csv module's 128 KiB limit is an error naming the file and row."""
    text = "unit,visit,a1,a2,b1,b2\nu1,1,4,4,4,4\nu2,1,4,4,4," + "9" * 200_000 + "\n"
    assert main(_evaluate_csv(tmp_path, text)) == 1
    assert_error(capsys.readouterr().err, "obs.csv row 3: field larger than field limit")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("unit,visit,a1,a1,a2,b1,b2\nu1,1,4,3,4,4,4\n",
         "obs.csv row 1: column(s) named more than once: 'a1' (columns 3, 4)"),
        ("unit,visit,a1,a2,b1,b2\nu1,1,4,4,4,4\nu2,1,4,4\n",
         "obs.csv: the header has 6 fields, but row 3 has 4"),
        ("unit,visit,a1,a2,b1,b2\nu1,1,4,4,4,4,4\n",
         "obs.csv: the header has 6 fields, but row 2 has 7"),
        ("unit,visit,a1,a2,b1,b2\nu1,1,4,4,4,4\n\nu2,1,4,4,4,4\n",
         "obs.csv: blank row(s) 3 between rows of data"),
        ("", "obs.csv: the file is empty"),
        ("unit,visit,,a2,b1,b2\nu1,1,4,4,4,4\n", "obs.csv row 1: column(s) 3 have no name"),
    ],
    ids=["duplicated column", "truncated row", "row too long", "blank row", "empty file",
         "unnamed column"],
)  # fmt: skip
def test_malformed_csv_is_an_error(
    text: str, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A duplicated header column, a short or long row, a blank row: an error naming file and row."""
    assert main(_evaluate_csv(tmp_path, text)) == 1
    assert_error(capsys.readouterr().err, expected)


def test_trailing_blank_lines_are_ignored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Blank lines after the last row are the end of the file, not rows."""
    text = "unit,visit,a1,a2,b1,b2\nu1,1,4,4,4,4\n\n\n"
    assert main(_evaluate_csv(tmp_path, text, "--within", "none")) == 0
    assert "    1  u1 " in capsys.readouterr().out


def test_malformed_units_csv_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The units file is read as strictly: a truncated row names the units file and row."""
    units = tmp_path / "units.csv"
    units.write_text("id,name,category\nu1,Satu,kel\nu2,Dua\n", encoding="utf-8")
    command = _evaluate_csv(tmp_path, "unit,visit,a1,a2,b1,b2\nu1,1,4,4,4,4\n")
    assert main([*command, "--units", str(units)]) == 1
    assert_error(capsys.readouterr().err, "units.csv: the header has 3 fields, but row 3 has 2")


def test_unit_missing_from_units_file_names_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An observed unit without a row in the units file is an error naming that file."""
    units = tmp_path / "units.csv"
    units.write_text("id,name,category\nu1,Satu,kel\n", encoding="utf-8")
    command = _evaluate_csv(tmp_path, "unit,visit,a1,a2,b1,b2\nu1,1,4,4,4,4\nu11,1,3,3,3,3\n")
    assert main([*command, "--units", str(units)]) == 1
    assert_error(
        capsys.readouterr().err,
        f"{units}: no row for unit(s) 'u11' (did you mean 'u1'?), which have observations",
    )


@pytest.mark.parametrize("digits", [401, 5000])
def test_sample_size_of_a_huge_number_is_refused(
    digits: int, capsys: pytest.CaptureFixture[str]
) -> None:
    """'sample-size' with a number of hundreds of digits is an argument error (exit 2)."""
    with pytest.raises(SystemExit) as exit_info:
        main(["sample-size", "1" + "0" * (digits - 1)])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert f"({digits} characters)" in err and "Traceback" not in err
    assert len(err.splitlines()[-1]) < 200


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_output_to_a_full_device_is_an_error() -> None:
    """Output that cannot be written (/dev/full) is an error line and exit 1, no traceback."""
    with open("/dev/full", "w", encoding="utf-8") as full:
        result = cli("demo", stdout=full)
    assert result.returncode == 1
    assert_error(result.stderr, "cannot write the output: No space left on device")


@pytest.mark.skipif(os.name != "posix", reason="closes file descriptor 1 in the child")
def test_closed_stdout_is_an_error() -> None:
    """With standard output closed nothing is lost silently: an error line and exit 1."""
    result = cli("rubrics", stdout=None, preexec_fn=lambda: os.close(1))
    assert result.returncode == 1
    assert_error(result.stderr, "standard output is closed")


class ClosedPipe(io.StringIO):
    """A standard stream whose reader has gone away."""

    def write(self, text: str) -> int:
        """Refuse the text: the pipe is closed."""
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")


@pytest.mark.parametrize(
    "command", [["demo"], ["rubrics"], ["rubric", "show", "permenpanrb-17-2017"]]
)
def test_broken_pipe_exits_quietly(
    command: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """When the reader of the output goes away, the command exits 141 without a message."""
    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    assert main(command) == 141
    assert "error" not in capsys.readouterr().err


def test_broken_pipe_on_stderr_exits_quietly(monkeypatch: pytest.MonkeyPatch) -> None:
    """Output and notes into one closed pipe (``2>&1 | head``): exit 141, no traceback."""
    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    monkeypatch.setattr(sys, "stderr", ClosedPipe())
    assert main(["rubric", "show", "permenpanrb-17-2017"]) == 141


def test_broken_pipe_through_a_process() -> None:
    """'demo' piped into a reader that closes at once ends quietly (141), no traceback."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
    }
    with subprocess.Popen(
        [sys.executable, "-m", "pelayanan_eval", "demo"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    ) as process:  # fmt: skip
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()
        err = process.stderr.read().decode()
        code = process.wait()
    assert code == 141
    assert err == ""


@pytest.mark.parametrize(
    ("errno_code", "reason"),
    [(errno.EACCES, "Permission denied"), (errno.EROFS, "Read-only file system")],
)
def test_demo_export_refused_by_the_system(
    errno_code: int,
    reason: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """'demo --export' into an unwritable folder or a read-only file system: an error line."""

    def refuse(self: Path, *args: Any, **kwargs: Any) -> None:
        raise OSError(errno_code, reason, str(self))

    monkeypatch.setattr(Path, "mkdir", refuse)
    target = tmp_path / "out"
    assert main(["demo", "--export", str(target)]) == 1
    assert_error(capsys.readouterr().err, f"cannot export to {target}: {reason}")


def test_demo_export_under_or_onto_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """'demo --export' onto a file or to a path under a file: an error line naming the path."""
    existing = tmp_path / "file.txt"
    existing.write_text("x", encoding="utf-8")
    assert main(["demo", "--export", str(existing)]) == 1
    assert_error(capsys.readouterr().err, f"cannot export into {existing}: it is a file")
    under = existing / "sub"
    assert main(["demo", "--export", str(under)]) == 1
    assert_error(capsys.readouterr().err, f"cannot export to {under}: Not a directory")
    assert existing.read_text(encoding="utf-8") == "x"


TIED = "unit,visit,a1,a2,b1,b2\nu2,1,3,2,3,2\nu2,2,3,4,3,3\nu5,1,3,4,2,2\nu5,2,4,3,2,2\n"
# both index 2.90: u2 A (2 x 3 + 3) / 3 = 3, B (3 + 2.5) / 2 = 2.75; u5 A 3.5, B 2


def test_csv_has_one_rank_column_of_whole_numbers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """CSV output has one 'rank' column, whole ranks written as integers (1, not 1.0)."""
    assert main(_evaluate_csv(tmp_path, TIED, "--format", "csv")) == 0
    header, *rows = capsys.readouterr().out.splitlines()
    assert [c for c in header.split(",") if "rank" in c] == ["rank"]
    position = header.split(",").index("rank")
    assert [row.split(",")[position] for row in rows] == ["1", "1"]
    assert main(_evaluate_csv(tmp_path, TIED, "--format", "csv", "--ties", "average")) == 0
    rows = capsys.readouterr().out.splitlines()[1:]
    assert [row.split(",")[position] for row in rows] == ["1.5", "1.5"]


def test_rank_follows_the_users_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """With --ties/--tiebreak the one rank column (JSON and table) is the options' ranking."""
    import json

    options = ["--ties", "dense", "--tiebreak", "A"]
    assert main(_evaluate_csv(tmp_path, TIED, "--format", "json", *options)) == 0
    units = json.loads(capsys.readouterr().out)["units"]
    assert [(u["unit"], u["rank"]) for u in units] == [("u5", 1), ("u2", 2)]
    assert [key for key in units[0] if "rank" in key] == ["rank"]
    assert main(_evaluate_csv(tmp_path, TIED, "--within", "none", *options)) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split() == ["rank", "unit", "name", "index", "grade"]
    assert lines[2].startswith("    1  u5 ") and lines[3].startswith("    2  u2 ")


def test_table_prints_average_ranks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Two units tied under --ties average both print rank 1.5."""
    assert main(_evaluate_csv(tmp_path, TIED, "--within", "none", "--ties", "average")) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line[:5] for line in lines[2:4]] == ["  1.5", "  1.5"]


def test_awards_are_marked_for_the_award_count_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """'* award' marks the --awards best (default 2, ties at the cut in), whatever --top shows."""
    # every criterion of u1 scored 4, u2 and u5 3, u3 2, u4 1: indices 4, 3, 3, 2, 1
    text = "unit,visit,a1,a2,b1,b2\n" + "".join(
        f"{unit},1,{s},{s},{s},{s}\n" for unit, s in [("u1", 4), ("u2", 3), ("u3", 2), ("u4", 1),
                                                      ("u5", 3)]
    )  # fmt: skip
    for options, shown, marked in [
        ([], ["u1", "u2", "u5", "u3", "u4"], ["u1", "u2", "u5"]),
        (["--top", "4", "--awards", "1"], ["u1", "u2", "u5", "u3"], ["u1"]),
        (["--top", "2", "--awards", "0"], ["u1", "u2", "u5"], []),
        (["--top", "1", "--awards", "3"], ["u1"], ["u1"]),
    ]:
        assert main(_evaluate_csv(tmp_path, text, "--within", "none", *options)) == 0
        rows = capsys.readouterr().out.splitlines()[2:]
        assert [row.split()[1] for row in rows] == shown, options
        assert [row.split()[1] for row in rows if row.endswith("* award")] == marked, options


def test_help_says_what_is_marked(capsys: pytest.CaptureFixture[str]) -> None:
    """'evaluate --help' and the demo's help say which units are marked '* award'."""
    with pytest.raises(SystemExit):
        main(["evaluate", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "mark '* award' the units ranked K or better in each group" in text
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "the best two of each category are marked '* award'" in " ".join(
        capsys.readouterr().out.split()
    )


def test_missing_zero_is_a_deprecated_alias(capsys: pytest.CaptureFixture[str]) -> None:
    """--missing zero is read as scale_min, with a one-line note on stderr."""
    args = build_parser().parse_args(
        ["evaluate", "--rubric", "r", "--observations", "o", "--missing", "zero"]
    )
    assert args.missing == "scale_min"
    err = capsys.readouterr().err
    assert err.startswith("note: --missing zero is now called --missing scale_min")
    assert len(err.splitlines()) == 1


def test_missing_scale_min_counts_the_scale_minimum(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--missing scale_min scores an unscored criterion as the scale minimum (0 on 0-5)."""
    import json

    # u1: A = 4, B unscored -> 0: index 0.6 x 4 + 0.4 x 0 = 2.4
    text = "unit,visit,a1,a2,b1,b2\nu1,1,4,4,,\n"
    assert main(_evaluate_csv(tmp_path, text, "--missing", "scale_min", "--format", "json")) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["units"][0]["index"] == pytest.approx(2.4)
    assert result["settings"]["missing"] == "scale_min"


def test_group_titles(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Units without a units file form the group '(none)'; a single unit is '1 unit'."""
    assert main(_evaluate_csv(tmp_path, TIED)) == 0
    assert capsys.readouterr().out.splitlines()[0] == "category (none) (2 units)"
    text = "unit,visit,a1,a2,b1,b2\nu1,1,4,4,4,4\n"
    assert main(_evaluate_csv(tmp_path, text, "--within", "none")) == 0
    assert capsys.readouterr().out.splitlines()[0] == "all units (1 unit)"


def test_os_error_while_loading_is_one_error_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An OSError from reading a rubric (permission denied) is an error line naming the file."""
    import pelayanan_eval as pe

    def refuse(source: str) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", source)

    monkeypatch.setattr(pe, "load_rubric", refuse)
    path = str(tmp_path / "locked.yaml")
    for command in _rubric_commands(path, tmp_path):
        assert main(command) == 1, command
        assert_error(capsys.readouterr().err, f"error: {path}: Permission denied")


def test_csv_not_utf8_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A CSV file in another encoding (Latin-1) is an error naming the file and line."""
    command = _evaluate_csv(tmp_path, "")
    (tmp_path / "obs.csv").write_bytes(b"unit,visit,a1,a2,b1,b2\ncaf\xe9,1,4,4,4,4\n")
    assert main(command) == 1
    assert_error(capsys.readouterr().err, "obs.csv line 2: not UTF-8 text")


def test_many_units_missing_from_units_file_are_counted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Seven units without a row: five are named, the other two counted."""
    units = tmp_path / "units.csv"
    units.write_text("id,name,category\nu1,Satu,kel\n", encoding="utf-8")
    rows = "".join(f"x{i},1,3,3,3,3\n" for i in range(7))
    command = _evaluate_csv(tmp_path, "unit,visit,a1,a2,b1,b2\nu1,1,4,4,4,4\n" + rows)
    assert main([*command, "--units", str(units)]) == 1
    assert_error(capsys.readouterr().err, "'x4' and 2 more, which have observations")


def test_within_parent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--within parent ranks each parent's units apart, and the records name the parent."""
    import json

    units = tmp_path / "units.csv"
    units.write_text("id,name,category,parent\nu2,Dua,kel,p1\nu5,Lima,kel,p2\n", encoding="utf-8")
    command = [*_evaluate_csv(tmp_path, TIED, "--within", "parent"), "--units", str(units)]
    assert main([*command, "--tiebreak", "A", "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)["units"]
    assert [(r["unit"], r["parent"], r["rank"]) for r in records] == [
        ("u2", "p1", 1),
        ("u5", "p2", 1),
    ]
    assert main(command) == 0
    assert capsys.readouterr().out.splitlines()[0] == "parent p1 (1 unit)"


def test_band_tables_named_in_the_help_are_the_library_s() -> None:
    """'ikm --bands' names every published band table (its help is written without loading them)."""
    from pelayanan_eval import ikm

    parser = build_parser()
    text = parser._subparsers._group_actions[0].choices["ikm"].format_help()  # type: ignore[union-attr]
    assert all(table in " ".join(text.split()) for table in ikm.BAND_TABLES)
    with pytest.raises(SystemExit) as stopped:
        main(["ikm", "x.csv", "--bands", "minerba-1-5"])
    assert stopped.value.code == 2
