"""`python manage.py forget_kept`: leaves behind everything kept in the shared cache (figures,
page blocks and lists, to-do counts, activity totals, the duty ledger's county figures, the
similar-proposals corpus), so that the next request of each computes it from the database.

Kept values follow every write the application makes. Run this after writes it does not see:
a restore into a database of the same name, or rows changed with SQL by hand."""

from django.core.management.base import BaseCommand

from cppcc.generations import _ALL, bump_all


class Command(BaseCommand):
    help = "让缓存中保存的统计、页面和待办全部失效（恢复备份或手工改库之后运行）"

    def handle(self, *args, **options):
        bump_all()
        self.stdout.write(f"已使 {len(_ALL)} 类缓存内容失效。")
