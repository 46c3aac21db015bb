# Importing the Celery app here makes @shared_task use it in every process (web and worker).
from .celery import app as celery_app

__all__ = ("celery_app",)
