"""Writes the model signals do not announce (bulk_create, bulk_update, QuerySet.update, raw
SQL), announced by their writers so that what keeps figures computed from the records (reports'
figure cache) lets them go. cppcc cannot import the apps that listen, hence a signal."""

from django.dispatch import Signal

# sender: the model whose rows were written.
records_changed = Signal()


def announce(model) -> None:
    """Rows of `model` changed without a post_save / post_delete of each."""
    records_changed.send(sender=model)
