import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cppcc.settings")

app = Celery("cppcc")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def _warm_documents(**kwargs):
    # A worker's first yearly summary would otherwise load matplotlib, WeasyPrint and the base
    # font itself (2.1 s of CPU instead of 1.2 s). Fires for prefork children only.
    from cppcc.documents import warm_up

    warm_up()
