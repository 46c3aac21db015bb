from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CppccConfig(AppConfig):
    name = "cppcc"
    verbose_name = _("平台")

    def ready(self) -> None:
        from django.db.models import fields
        from django.db.models.signals import post_migrate

        # Django 6.1's new empty-choice label has no Chinese translation yet (it showed
        # "- Select an option -" in every select); Django documents overriding it here.
        fields.BLANK_CHOICE_LABEL = _("- 请选择 -")

        from . import audit  # noqa: F401  (connects the history signal)
        from .roles import ensure_groups

        post_migrate.connect(ensure_groups, dispatch_uid="cppcc_ensure_groups")
