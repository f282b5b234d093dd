"""Planning: where the next cameras go.

The siting solver works on a coverage matrix (demand points × candidate sites), never on the
map; `geo` builds the matrix.

>>> from sentinelle.plan import CoverageMatrix, solve_siting
"""

from sentinelle.plan.coverage_matrix import CoverageMatrix, load_array, load_coverage_npz
from sentinelle.plan.greedy import GreedyResult, greedy_siting
from sentinelle.plan.problem import SitingProblem
from sentinelle.plan.siting import SitingResult, SitingStatus, solve_siting

__all__ = [
    "CoverageMatrix",
    "GreedyResult",
    "SitingProblem",
    "SitingResult",
    "SitingStatus",
    "greedy_siting",
    "load_array",
    "load_coverage_npz",
    "solve_siting",
]
