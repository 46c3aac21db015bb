from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CppccConfig(AppConfig):
    name = "cppcc"
    verbose_name = _("平台")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import audit  # noqa: F401  (connects the history signal)
        from .roles import ensure_groups

        post_migrate.connect(ensure_groups, dispatch_uid="cppcc_ensure_groups")
