"""cppcc.generations: what a kept value's key is made of."""

from pathlib import Path

from django.db import connection

from cppcc.generations import Generation
from members.models import Sector


def test_a_value_is_kept_per_database_whatever_type_its_name_is(db, monkeypatch):
    # The embedded default (no DATABASE_URL) names its SQLite file with a Path
    # (cppcc/settings.py): the demo's dashboard answered 500 when the key joined it as text.
    generation = Generation("test-database-name", ("members.Sector",))
    computed = []

    def compute():
        computed.append(1)
        return Sector.objects.count()

    monkeypatch.setitem(connection.settings_dict, "NAME", Path("/srv/cppcc/db.sqlite3"))
    first = generation.remembered("n", compute, timeout=60)
    assert generation.remembered("n", compute, timeout=60) == first
    assert len(computed) == 1
    # Another database through the same cache keeps its own value.
    monkeypatch.setitem(connection.settings_dict, "NAME", Path("/srv/other/db.sqlite3"))
    generation.remembered("n", compute, timeout=60)
    assert len(computed) == 2
