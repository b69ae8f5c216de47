"""Do the assessors agree? Agreement coefficients, assessor severity, flags and design checks.

Krippendorff's alpha at the four levels of measurement (any number of
assessors per unit, missing scores allowed) and the intraclass
correlations the design supports, per criterion, per aspect and on the
index (:func:`coefficients`; :func:`alpha` and :func:`icc` on plain
tables); each assessor's mean deviation from colleagues on the same units
and additive assessor effects (:func:`severity`); the scores to re-check
first (:func:`disagreements`); and the visit-design report
(:func:`design_report`, :func:`require`). :func:`summary` gives one line.
"""

from pelayanan_eval._data.design import DesignReport, Finding, design_report, require
from pelayanan_eval.agreement._coefficients import alpha, coefficients, icc
from pelayanan_eval.agreement._flags import Disagreements, disagreements
from pelayanan_eval.agreement._result import Agreement, AgreementSettings, Coefficient, IccResult
from pelayanan_eval.agreement._severity import Severity, severity
from pelayanan_eval.agreement._summary import summary
from pelayanan_eval.exceptions import AgreementWarning, DesignWarning

__all__ = [
    "Agreement",
    "AgreementSettings",
    "AgreementWarning",
    "Coefficient",
    "DesignReport",
    "DesignWarning",
    "Disagreements",
    "Finding",
    "IccResult",
    "Severity",
    "alpha",
    "coefficients",
    "design_report",
    "disagreements",
    "icc",
    "require",
    "severity",
    "summary",
]
