import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from cppcc import demo


class Command(BaseCommand):
    help = "迁移数据库，载入演示县的数据（可重复运行），打印演示账号，并启动服务。"

    def add_arguments(self, parser):
        parser.add_argument(
            "addrport", nargs="?", default="127.0.0.1:8000", help="监听地址，默认 127.0.0.1:8000"
        )
        parser.add_argument("--no-serve", action="store_true", help="只载入数据，不启动服务")

    def handle(self, *args, addrport: str, no_serve: bool, **options):
        if settings.PRODUCTION:
            raise CommandError("生产环境（DJANGO_ENV=production）不允许载入演示数据。")
        started = time.monotonic()
        call_command("migrate", interactive=False, verbosity=0)

        def log(line: str) -> None:
            self.stdout.write(f"  {line}")

        # Each app loads its own records and logins; order matters: studios place the members,
        # the units come before their login, logins tied to a record come after that record,
        # and the consultations are recorded by the office login with the studios' members
        # and the units. cppcc itself imports no app's models.
        from consultations import demo as consultations_demo
        from members import demo as members_demo
        from members import duty
        from proposals import demo as proposals_demo
        from proposals import opinion_demo
        from studios import demo as studios_demo

        self.stdout.write("载入演示数据……")
        # The duty ledger is derived from everything loaded here: built once at the end, not after
        # every record saved.
        with duty.paused():
            members_demo.load(log)
            studios_demo.load(log)
            proposals_demo.load(log)
            logins = demo.load_users(log)
            logins += studios_demo.load_logins(log)
            logins += proposals_demo.load_logins(log)
            consultations_demo.load(log)
            # Proposals after the consultations: two of this year's matters came from proposals.
            proposals_demo.load_proposals(log)
            # A year of public-opinion reports from the members, handled by the office login.
            opinion_demo.load(log)
        log(f"履职档案：{duty.rebuild()} 条记录")
        self.stdout.write(
            self.style.SUCCESS(f"演示数据已就绪（用时 {time.monotonic() - started:.1f} 秒）。")
        )
        self.stdout.write(f"演示账号（密码均为 {demo.DEMO_PASSWORD}）：")
        for username, what in logins:
            self.stdout.write(f"  {username:<8} {what}")
        if no_serve:
            return
        self.stdout.write(f"打开 http://{addrport}/ 登录。按 Ctrl+C 停止。")
        call_command("runserver", addrport, use_reloader=False)
