"""Reports for people: each unit's rapor, the city report and the evaluation workbook.

The rapor and the city report are standalone HTML documents (one file each,
no network needed, inline charts, A4 print styles so that a browser's
"print to PDF" gives a clean document), in Bahasa Indonesia by default or
in English, with every label from one message catalogue and numbers written
as the language writes them (``4,11`` in Indonesian). The workbook
(``.xlsx``, the ``excel`` extra) holds a ranking sheet per category, the
report-card rows and the settings with their provenance.

Examples
--------
>>> import pelayanan_eval as pe
>>> from pelayanan_eval import report
>>> city = pe.demo_city()
>>> evaluation = pe.evaluate(city.rubric, city.observations, units=city.units)
>>> page = report.rapor(evaluation, "kelurahan-01")
>>> page.startswith("<!DOCTYPE html>"), "Rapor Pelayanan Publik" in page
(True, True)
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pelayanan_eval._common.messages import check_option
from pelayanan_eval._evaluation.result import Evaluation
from pelayanan_eval.report._city import city_document
from pelayanan_eval.report._files import file_names, write_folder
from pelayanan_eval.report._messages import LOCALES
from pelayanan_eval.report._rapor import rapor_document
from pelayanan_eval.report._workbook import workbook_bytes
from pelayanan_eval.typing import Locale

__all__ = ["city_report", "file_names", "rapor", "workbook", "write_reports"]

RAPOR_FOLDER = "rapor"
CITY_FILE = "index.html"
WORKBOOK_FILE = "evaluasi.xlsx"


def rapor(
    evaluation: Evaluation,
    unit_id: str,
    *,
    locale: Locale = "id",
    period: str | None = None,
    home: str | None = None,
    note: str | None = None,
    uncertainty: Any = None,
    agreement: tuple[Any, Any] | None = None,
) -> str:
    """Return the rapor (report card) of one unit as a standalone HTML document.

    It shows the unit, its category and the period, its index and grade
    beside the rubric's band table, its rank in the category, each aspect
    beside the category's mean and best (table and chart), the criteria
    that lost the most points, the path to the next grade as a checklist
    of the rubric's level texts to reach, and the provenance (rubric,
    regulation, status, unverified parts, settings).

    Parameters
    ----------
    evaluation
        The result of :func:`pelayanan_eval.evaluate`.
    unit_id
        The unit.
    locale
        ``"id"`` (Bahasa Indonesia, default) or ``"en"``.
    period
        The evaluation period as it should be printed (``"Agustus–Oktober 2026"``).
    home
        A link back to the city report (``"../index.html"``), if any.
    note
        A line shown in a red box on top (e.g. that the data are synthetic).
    uncertainty
        ``pelayanan_eval.decisions.uncertainty(evaluation, ...)``: adds the
        unit's rank interval and its chances of an award and of the next grade.
    agreement
        ``(agreement.coefficients(obs), agreement.disagreements(obs))`` of the
        evaluation's visits: adds the city's agreement between assessors and
        the unit's scores to re-check.

    Returns
    -------
    str
        The HTML document.

    Raises
    ------
    UnknownUnitError
        No unit has that id.
    OptionError
        An unknown locale.

    Notes
    -----
    The figures are those of :meth:`pelayanan_eval.Evaluation.card`; the
    path to the next grade is its fewest one-level improvements (see
    :class:`pelayanan_eval.results.NextGrade`).

    References
    ----------
    PermenPANRB 17/2017, Lampiran (the index 0–5 and grades A–F), as
    bundled in the rubric ``permenpanrb-17-2017``.
    """
    check_option("locale", locale, LOCALES)
    card = evaluation.card(unit_id, uncertainty=uncertainty)
    return rapor_document(evaluation, card, locale=locale, period=period, home=home, note=note,
                          uncertainty=uncertainty, agreement=agreement)  # fmt: skip


def city_report(
    evaluation: Evaluation,
    *,
    locale: Locale = "id",
    top: int = 2,
    bottom: int = 2,
    period: str | None = None,
    title: str | None = None,
    links: Mapping[str, str] | None = None,
    note: str | None = None,
) -> str:
    """Return the city report as a standalone HTML document.

    It holds a summary, the city's priorities (the aspects with the lowest
    mean against their maximum, and the criteria whose weighted shortfall
    is largest: raising them lifts the mean index most), the grade
    distribution (chart and table per category) and, per category, the
    ranking with band colours, award and coaching marks and a heatmap of
    aspect scores by unit.

    Parameters
    ----------
    evaluation
        The result of :func:`pelayanan_eval.evaluate`.
    locale
        ``"id"`` (default) or ``"en"``.
    top, bottom
        Awards go to the units ranked `top` or better in each category,
        coaching to the `bottom` lowest-ranked (ties at the cut included),
        as :meth:`~pelayanan_eval.Evaluation.top` and ``bottom`` choose them.
    period, title, note
        The period, a title instead of the default one, a line in a red box.
    links
        Unit id to the address of its rapor; the unit's name links there.

    Returns
    -------
    str
        The HTML document.

    Notes
    -----
    A criterion's weighted shortfall is ``w_j x (max_j - mean_j)``, with
    ``w_j`` its effective weight and ``mean_j`` its mean over the units
    that scored it: by linearity of the index, the mean index rises by
    exactly that much if every unit reached the maximum on it.

    Examples
    --------
    >>> import pelayanan_eval as pe
    >>> from pelayanan_eval import report
    >>> city = pe.demo_city()
    >>> evaluation = pe.evaluate(city.rubric, city.observations, units=city.units)
    >>> "What to prioritise" in report.city_report(evaluation, locale="en")
    True
    """
    check_option("locale", locale, LOCALES)
    return city_document(evaluation, locale=locale, top=top, bottom=bottom, period=period,
                         title=title, links=links or {}, note=note)  # fmt: skip


def workbook(
    evaluation: Evaluation, *, locale: Locale = "id", top: int = 2, bottom: int = 2
) -> bytes:
    """Return the evaluation workbook as ``.xlsx`` bytes (needs the ``excel`` extra, openpyxl).

    One ranking sheet per category (rank, tie, unit, name, published
    index, grade, award or coaching mark, aspect scores, full-precision
    index), a sheet of report-card rows (weakest criteria, next grade and
    the levels to raise) and a sheet of settings and provenance. Numbers are
    stored as numbers, so the spreadsheet shows them in its own locale.

    Raises
    ------
    ImportError
        openpyxl is not installed.

    Examples
    --------
    >>> import io, openpyxl, pelayanan_eval as pe
    >>> city = pe.demo_city()
    >>> evaluation = pe.evaluate(city.rubric, city.observations, units=city.units)
    >>> openpyxl.load_workbook(io.BytesIO(workbook(evaluation))).sheetnames
    ['Peringkat kelurahan', 'Peringkat opd', 'Peringkat puskesmas', 'Rapor', 'Pengaturan']
    """
    check_option("locale", locale, LOCALES)
    return workbook_bytes(evaluation, locale=locale, top=top, bottom=bottom)


def write_reports(
    evaluation: Evaluation,
    out: str | Path,
    *,
    locale: Locale = "id",
    top: int = 2,
    bottom: int = 2,
    period: str | None = None,
    title: str | None = None,
    note: str | None = None,
    excel: bool | None = None,
    force: bool = False,
    uncertainty: Any = None,
    agreement: tuple[Any, Any] | None = None,
) -> Path:
    """Write the city report, every unit's rapor and the workbook into the folder `out`.

    ``out/index.html`` is the city report, ``out/rapor/<unit>.html`` the
    rapor (file names from :func:`file_names`), ``out/evaluasi.xlsx`` the
    workbook (when `excel` is True, or None and openpyxl is installed).
    Everything is written into a temporary folder beside `out` and moved
    into place at the end, so a failed run leaves nothing half-written.

    Raises
    ------
    OutputError
        `out` is a file, holds files already (unless `force`, which
        replaces it), or cannot be written.
    ImportError
        ``excel=True`` without openpyxl.

    Examples
    --------
    >>> import pathlib, tempfile, pelayanan_eval as pe
    >>> city = pe.demo_city()
    >>> evaluation = pe.evaluate(city.rubric, city.observations, units=city.units)
    >>> out = write_reports(evaluation, pathlib.Path(tempfile.mkdtemp()) / "expose", excel=False)
    >>> (out / "index.html").exists(), (out / "rapor" / "opd-01.html").exists()
    (True, True)
    """
    check_option("locale", locale, LOCALES)
    if excel is None:
        try:
            import openpyxl  # type: ignore[import-untyped,unused-ignore]  # noqa: F401
        except ImportError:
            excel = False
        else:
            excel = True
    ids = evaluation.units.ids.tolist()
    names = file_names(ids)
    links = {unit_id: f"{RAPOR_FOLDER}/{name}" for unit_id, name in names.items()}
    cards = evaluation.cards(uncertainty=uncertainty)
    book = None
    if excel:
        book = workbook_bytes(evaluation, locale=locale, top=top, bottom=bottom, cards=cards)

    def fill(folder: Path) -> None:
        (folder / RAPOR_FOLDER).mkdir()
        for card in cards:
            page = rapor_document(evaluation, card, locale=locale, period=period,
                                  home=f"../{CITY_FILE}", note=note, uncertainty=uncertainty,
                                  agreement=agreement)  # fmt: skip
            (folder / RAPOR_FOLDER / names[card.unit.id]).write_text(page, encoding="utf-8")
        city = city_document(evaluation, locale=locale, top=top, bottom=bottom, period=period,
                             title=title, links=links, note=note)  # fmt: skip
        (folder / CITY_FILE).write_text(city, encoding="utf-8")
        if book is not None:
            (folder / WORKBOOK_FILE).write_bytes(book)

    return write_folder(Path(out), force, fill)
