"""Evaluation: did the cameras change crime, where did it go, and could the data tell?

Modules, one concept each:

- `counts`: the before/after counts CSV, read and validated;
- `effects`: relative effect sizes per area and their pooling (`EffectEstimate`);
- `displacement`: weighted displacement difference and quotient;
- `power`: the smallest effect the data could detect;
- `plots`: the forest plot.

Still to come in this package: a panel (area × month, staggered difference-in-differences) and
usefulness to investigations; `EffectEstimate` is the shared shape of an effect with its interval.
"""

from sentinelle.evaluate.counts import AreaCounts, CountsTable, read_counts
from sentinelle.evaluate.displacement import DisplacementResult, estimate_displacement
from sentinelle.evaluate.effects import EffectEstimate, EffectsResult, estimate_effects
from sentinelle.evaluate.power import PowerResult, detectable_effects

__all__ = [
    "AreaCounts",
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
