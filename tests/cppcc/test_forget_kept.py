"""`manage.py forget_kept` leaves every kept value behind (after a restore into the same
database name, which no model signal announces)."""

from django.core.management import call_command

from cppcc import navigation
from reports import figure_cache


def test_forget_kept_moves_every_generation_on(db, capsys):
    kept = []

    def compute():
        kept.append(1)
        return len(kept)

    assert navigation.SECTIONS.remembered("x", compute, timeout=60) == 1
    assert navigation.SECTIONS.remembered("x", compute, timeout=60) == 1
    figures_before = figure_cache.FIGURES.current()
    call_command("forget_kept")
    assert navigation.SECTIONS.remembered("x", compute, timeout=60) == 2
    assert figure_cache.FIGURES.current() > figures_before
    assert "失效" in capsys.readouterr().out
