"""The one message catalogue of the reports: every label in Bahasa Indonesia and English.

Templates name labels by key (``text("rank", "id")``); a key missing in a
language, or a language not offered, is an error at the call, so no label is
ever printed untranslated.
"""

from __future__ import annotations

import math
from typing import Any

from pelayanan_eval._common.messages import check_option

LOCALES = ("id", "en")

# key: (Bahasa Indonesia, English)
CATALOGUE: dict[str, tuple[str, str]] = {
    "rapor_title": ("Rapor Pelayanan Publik", "Public Service Report Card"),
    "city_title": ("Laporan Evaluasi Pelayanan Publik", "Public Service Evaluation Report"),
    "unit": ("Unit", "Unit"),
    "unit_id": ("Kode unit", "Unit code"),
    "name": ("Nama", "Name"),
    "category": ("Kategori", "Category"),
    "no_category": ("(tanpa kategori)", "(no category)"),
    "parent": ("Induk", "Parent"),
    "period": ("Periode", "Period"),
    "index": ("Indeks", "Index"),
    "grade": ("Kategori nilai", "Grade"),
    "no_index": (
        "Belum ada indeks (terlalu sedikit kriteria yang dinilai)",
        "No index (too few criteria scored)",
    ),
    "rank": ("Peringkat", "Rank"),
    "rank_of": (
        "peringkat {rank} dari {count} unit dalam kategori {category}",
        "rank {rank} of {count} units in category {category}",
    ),
    "visits": (
        "{visits} kunjungan; cakupan penilaian {coverage}",
        "{visits} visit(s); {coverage} of the weight scored",
    ),
    "bands": ("Tabel kategori nilai", "Grade bands"),
    "band_from": ("mulai", "from"),
    "label": ("Keterangan", "Label"),
    "aspects": ("Aspek penilaian", "Aspects"),
    "aspect": ("Aspek", "Aspect"),
    "weight": ("Bobot", "Weight"),
    "score": ("Nilai", "Score"),
    "cat_mean": ("Rata-rata kategori", "Category mean"),
    "cat_best": ("Terbaik di kategori", "Category best"),
    "this_unit": ("Unit ini", "This unit"),
    "losses": ("Kriteria yang paling banyak kehilangan poin", "Criteria that lost the most points"),
    "criterion": ("Kriteria", "Criterion"),
    "points_lost": ("Poin hilang", "Points lost"),
    "next_title": ("Jalan menuju kategori berikutnya", "The path to the next grade"),
    "next_intro": (
        "Untuk mencapai {code} ({label}, mulai {lower}) naikkan {levels} tingkat pada "
        "{count} kriteria berikut; indeks menjadi {reaches}.",
        "To reach {code} ({label}, from {lower}) raise {levels} level(s) on these "
        "{count} criteria; the index becomes {reaches}.",
    ),
    "from_to": ("dari tingkat {before} ke {after}", "from level {before} to {after}"),
    "target_level": ("Syarat tingkat {after}", "What level {after} requires"),
    "gain": ("Tambahan indeks", "Index gain"),
    "top_band": ("Unit ini sudah berada di kategori tertinggi.", "This unit is in the top band."),
    "no_path": (
        "Jalan menuju kategori berikutnya tidak dihitung: {why}",
        "The path to the next grade was not computed: {why}",
    ),
    "unscored": (
        "Kriteria yang tidak dinilai pada kunjungan mana pun",
        "Criteria not scored in any visit",
    ),
    "certainty": ("Seberapa pasti hasil ini", "How sure this result is"),
    "certainty_line": (
        "Dari keragaman kunjungan ({method}, {replicates} replikasi): peringkat {low}–{high} "
        "(selang 90 %), peluang penghargaan {award}, peluang mencapai kategori berikutnya "
        "{next_grade}.",
        "From the spread of the visits ({method}, {replicates} replicates): rank {low}–{high} "
        "(90 % interval), chance of an award {award}, chance of the next grade {next_grade}.",
    ),
    "agreement": ("Kesepakatan para penilai", "Agreement between the assessors"),
    "agreement_line": (
        "Seluruh kota: alfa Krippendorff (ordinal, semua kriteria) {alpha}{interval}; ICC(1) "
        "indeks {icc}. Skor unit ini yang berbeda {threshold} tingkat atau "
        "lebih antarpenilai: {flags}.",
        "Whole city: Krippendorff's alpha (ordinal, all criteria) {alpha}{interval}; ICC(1) of "
        "the index {icc}. This unit's scores that differ by {threshold} "
        "levels or more between assessors: {flags}.",
    ),
    "provenance": ("Asal-usul angka", "Provenance"),
    "rubric": ("Rubrik", "Rubric"),
    "regulation": ("Peraturan", "Regulation"),
    "status": ("Status", "Status"),
    "provisional": (
        "sementara (belum diverifikasi terhadap teks peraturan)",
        "provisional (not verified against the regulation text)",
    ),
    "verified": ("terverifikasi", "verified"),
    "provisional_parts": ("Bagian yang belum diverifikasi", "Parts not verified"),
    "settings": ("Cara hitung", "Settings"),
    "settings_line": (
        "agregasi kunjungan: {method}; urutan: {order}; data kosong: {missing}; "
        "pembulatan: {rounding}",
        "visits combined by: {method}; order: {order}; missing: {missing}; rounding: {rounding}",
    ),
    "generated": ("Dibuat dengan pelayanan-eval {version}", "Made with pelayanan-eval {version}"),
    "content_hash": ("Sidik rubrik", "Rubric hash"),
    "back": ("Kembali ke laporan kota", "Back to the city report"),
    "award": ("Penghargaan", "Award"),
    "coaching": ("Pembinaan", "Coaching"),
    "marks_note": (
        "Penghargaan: {top} terbaik tiap kategori; pembinaan: {bottom} terendah tiap "
        "kategori (unit yang seri di batas ikut).",
        "Award: the best {top} of each category; coaching: the lowest {bottom} of each "
        "category (units tied at the cut are in).",
    ),
    "units_count": ("{count} unit", "{count} units"),
    "summary": ("Ringkasan", "Summary"),
    "summary_line": (
        "{units} unit dalam {categories} kategori dinilai dengan rubrik {rubric}.",
        "{units} units in {categories} categories evaluated under rubric {rubric}.",
    ),
    "priorities": ("Apa yang harus diprioritaskan", "What to prioritise"),
    "priorities_intro": (
        "Aspek dengan rata-rata kota terendah dibanding nilai maksimumnya, dan kriteria yang "
        "paling mengangkat rata-rata indeks kota bila semua unit mencapai nilai maksimumnya "
        "(bobot × selisih rata-rata ke maksimum).",
        "The aspects with the lowest city-wide mean against their maximum, and the criteria "
        "that would lift the city's mean index most if every unit reached their maximum "
        "(weight × the mean's shortfall from the maximum).",
    ),
    "city_gain": ("Potensi kenaikan indeks kota", "Possible rise of the city's mean index"),
    "weak_aspects": ("Aspek terlemah", "Weakest aspects"),
    "weak_criteria": ("Kriteria terlemah", "Weakest criteria"),
    "city_mean": ("Rata-rata kota", "City mean"),
    "share_of_max": ("% dari maksimum", "% of maximum"),
    "distribution": ("Sebaran kategori nilai", "Grade distribution"),
    "count": ("Jumlah", "Count"),
    "all_units": ("Semua unit", "All units"),
    "ranking": ("Peringkat kategori {category}", "Ranking of category {category}"),
    "heatmap": ("Peta nilai aspek per unit", "Aspect scores by unit"),
    "rapor_link": ("rapor", "report card"),
    "contents": ("Daftar isi", "Contents"),
    "tied": ("seri", "tied"),
    "none": ("-", "-"),
    "sheet_ranking": ("Peringkat", "Ranking"),
    "sheet_cards": ("Rapor", "Report cards"),
    "sheet_settings": ("Pengaturan", "Settings"),
    "mark": ("Tanda", "Mark"),
    "next_grade": ("Kategori berikutnya", "Next grade"),
    "levels_needed": ("Tingkat yang perlu dinaikkan", "Levels to raise"),
    "worst_criteria": ("Kriteria terlemah", "Weakest criteria"),
    "setting": ("Pengaturan", "Setting"),
    "value": ("Nilai", "Value"),
    "locale": ("Bahasa", "Language"),
    "synthetic": ("DATA SINTETIS", "SYNTHETIC DATA"),
    "chart_aspects": (
        "Nilai aspek unit ini dibanding rata-rata dan nilai terbaik kategorinya",
        "This unit's aspect scores beside its category's mean and best",
    ),
    "chart_grades": ("Jumlah unit per kategori nilai", "Units per grade"),
}


def text(key: str, locale: str, **fields: Any) -> str:
    """Return the label `key` in `locale` (``"id"`` or ``"en"``), with `fields` filled in."""
    check_option("locale", locale, LOCALES)
    template = CATALOGUE[key][LOCALES.index(locale)]
    return template.format(**fields) if fields else template


def number(value: float, locale: str, digits: int = 2) -> str:
    """Format a number for `locale`: ``4,11`` and ``1.234,5`` in Indonesian, ``4.11`` in English.

    NaN is ``-``. Rounding is for display only (half away from zero on the
    decimal digits shown, as :func:`format` does on the binary value).
    """
    check_option("locale", locale, LOCALES)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    shown = f"{value:,.{digits}f}"
    if locale == "id":
        shown = shown.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return shown


def plain(value: float, locale: str) -> str:
    """Format a whole number as ``5``, otherwise the shortest form (``4,5``): levels and bounds."""
    if float(value).is_integer():
        return str(int(value))
    return number(value, locale, 2).rstrip("0").rstrip(",.")


def percent(share: float, locale: str, digits: int = 0) -> str:
    """Format a share as a percentage: ``87 %`` (id) or ``87%`` (en)."""
    return number(share * 100, locale, digits) + (" %" if locale == "id" else "%")
