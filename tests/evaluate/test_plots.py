"""The forest plot: written to disk, with the labels an elected official needs."""

from __future__ import annotations

import matplotlib.image as mpimg
import numpy as np

from sentinelle.evaluate.counts import CountsTable, read_counts
from sentinelle.evaluate.effects import estimate_effects
from sentinelle.evaluate.plots import forest_plot

KEYS = ("area", "treated_before", "treated_after", "control_before", "control_after")


def texts(fig) -> str:
    out = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        out += [t.get_text() for t in ax.texts]
        out += [t.get_text() for t in ax.get_yticklabels()]
        out.append(ax.get_xlabel())
    return "\n".join(out)


def test_forest_plot_of_the_example(example_counts, tmp_path):
    result = estimate_effects(read_counts(example_counts))
    path = tmp_path / "forest.png"
    fig = forest_plot(result, path=path)
    image = mpimg.imread(path)
    assert image.shape[0] > 800 and image.shape[1] > 1200
    assert np.ptp(image[..., :3]) > 0.5  # not a blank canvas
    text = texts(fig)
    for area in result.areas:
        assert area.label in text
    assert "Ensemble : effet fixe" in text and "Ensemble : effets aléatoires" in text
    assert "Rapport de cotes relatif" in text
    assert "la délinquance a baissé" in text  # which side means "crime fell"
    assert "1,21 [1,05 ; 1,39]" in text  # pooled OR with its interval, French decimals
    assert "La baisse est significative" in text
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    xs = [line.get_xdata()[0] for line in ax.get_lines() if len(set(line.get_xdata())) == 1]
    assert 1.0 in xs  # the line of no effect
    assert sum(p.__class__.__name__ == "Polygon" for p in ax.patches) == 2  # two diamonds


def test_single_area_and_zero_count(tmp_path):
    one = CountsTable.from_records([dict(zip(KEYS, ("Gare", 0, 6, 40, 38), strict=True))])
    result = estimate_effects(one)
    fig = forest_plot(result, path=tmp_path / "one.png")
    text = texts(fig)
    assert "Gare *" in text and "0,5 ajouté" in text
    assert "I² = non défini" in text
    assert "Une seule zone" in text
    assert (tmp_path / "one.png").stat().st_size > 10_000


def test_event_study_plot(tmp_path):
    from sentinelle.evaluate.panel import Panel
    from sentinelle.evaluate.plots import event_study_plot
    from sentinelle.evaluate.staggered import estimate_staggered

    rng = np.random.default_rng(8)
    g = [None] * 8 + [2012 * 12 + 14] * 4 + [2012 * 12 + 20] * 4
    y = rng.poisson(9.0, size=(16, 40))
    panel = Panel.from_arrays(y, treated_from=g, first_month=2012 * 12, synthetic=True)
    result = estimate_staggered(panel, bin_months=3)
    path = tmp_path / "es.png"
    fig = event_study_plot(result, path=path)
    image = mpimg.imread(path)
    assert image.shape[0] > 800 and image.shape[1] > 1200
    text = texts(fig)
    assert "Trimestres depuis l'installation" in text
    assert "DONNÉES SYNTHÉTIQUES" in text
    assert "test de pré-tendance" in text
    assert "janvier 2012" in text
    assert "Peu de zones" in text
