"""Evaluation: did the cameras change crime, where did it go, and could the data tell?

Modules, one concept each:

- `counts`: the before/after counts CSV, read and validated;
- `effects`: relative effect sizes per area and their pooling (`EffectEstimate`);
- `displacement`: weighted displacement difference and quotient;
- `power`: the smallest effect the data could detect;
- `panel`: the area × month panel of counts (CSV, or built from incidents by `areas`);
- `staggered`: difference-in-differences robust to staggered adoption, event study, pre-trend
  test (`StaggeredResult`, effects as rate ratios `RatioEstimate`);
- `usefulness`: footage requested, available and useful per investigation; cost per useful case;
- `plots`: the forest plot and the event-study plot.

`EffectEstimate` is the shared shape of a before/after effect with its interval;
`RatioEstimate.to_effect_estimate` puts a panel estimate in the same convention.
"""

from sentinelle.evaluate.counts import AreaCounts, CountsTable, read_counts
from sentinelle.evaluate.displacement import DisplacementResult, estimate_displacement
from sentinelle.evaluate.effects import EffectEstimate, EffectsResult, estimate_effects
from sentinelle.evaluate.panel import Panel, read_panel
from sentinelle.evaluate.power import PowerResult, detectable_effects
from sentinelle.evaluate.staggered import RatioEstimate, StaggeredResult, estimate_staggered
from sentinelle.evaluate.usefulness import (
    CaseTable,
    CostBasis,
    UsefulnessResult,
    estimate_usefulness,
    read_cases,
)

__all__ = [
    "AreaCounts",
    "CaseTable",
    "CostBasis",
    "Panel",
    "RatioEstimate",
    "StaggeredResult",
    "UsefulnessResult",
    "estimate_staggered",
    "estimate_usefulness",
    "read_cases",
    "read_panel",
    "CountsTable",
    "DisplacementResult",
    "EffectEstimate",
    "EffectsResult",
    "PowerResult",
    "detectable_effects",
    "estimate_displacement",
    "estimate_effects",
    "read_counts",
]
