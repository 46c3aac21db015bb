from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = "Rebuilds the duty ledger (履职档案) from the source records under the points rules."

    def add_arguments(self, parser):
        parser.add_argument(
            "--year", type=int, action="append", help="Only this year (repeatable); default: all"
        )

    def handle(self, *args, year=None, **options):
        from members.duty import rebuild

        count = rebuild(years=year)
        self.stdout.write(_("履职档案已重建：%(n)d 条记录。") % {"n": count})
