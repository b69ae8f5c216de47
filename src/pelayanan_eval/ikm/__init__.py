"""The citizen satisfaction index (IKM / SKM) of PermenPANRB 14/2017, at national scale.

Respondents are observations and averaging them is the engine's mean
aggregation, on compact data: answers are stored as ``uint8`` (0 = no
answer) and tallied with integer ``bincount`` in chunks. The weighted
roll-up, conversion, rounding and grading are the rubric's, as in
:func:`pelayanan_eval.evaluate`.

Every publisher's convention is a parameter, so a published report can be
reproduced to the last printed digit: exact or printed weights (0,111,
0,11, 0,1111 for 9 unsur; 0,071 for 14), rounding of the NRR, of each
weighted NRR or of the weighted sum before x25, and the band table
(:func:`from_nrr` starts from a report's printed NRRs).

The same engine serves any survey rubric (:func:`survey`: the public
survey F-03, the BPS happiness index): items declare their answer scale
and a linear conversion, respondents may carry design weights and
attributes, and answers are tallied into exact partial sums
(:class:`Tally`) that add with ``+``, are saved as ``.npz`` files, and are
read from CSV files in bounded memory (:func:`read_csv`) or from the
partitions of a Dask DataFrame (:func:`from_dask`).
"""

from pelayanan_eval.ikm._bands import BAND_TABLES, BandTable
from pelayanan_eval.ikm._compute import compute, from_nrr
from pelayanan_eval.ikm._conventions import Conventions
from pelayanan_eval.ikm._csv import read_csv
from pelayanan_eval.ikm._dask import from_dask
from pelayanan_eval.ikm._design import questionnaire, sample_size
from pelayanan_eval.ikm._partial import Tally, load_tally, tally
from pelayanan_eval.ikm._profile import profile_records as profile
from pelayanan_eval.ikm._responses import Responses
from pelayanan_eval.ikm._result import IkmResult
from pelayanan_eval.ikm._survey import levels, survey
from pelayanan_eval.ikm._survey_result import SurveyResult
from pelayanan_eval.ikm._synthetic import synthetic_city
from pelayanan_eval.ikm._uncertainty import Interval, TargetCheck

__all__ = [
    "BAND_TABLES",
    "BandTable",
    "Conventions",
    "IkmResult",
    "Interval",
    "Responses",
    "SurveyResult",
    "Tally",
    "TargetCheck",
    "compute",
    "from_dask",
    "from_nrr",
    "levels",
    "load_tally",
    "profile",
    "questionnaire",
    "read_csv",
    "sample_size",
    "survey",
    "synthetic_city",
    "tally",
]
