"""python manage.py import_members file.xlsx [--dry-run] [--user USERNAME]

The same check and write as the office's import page (members.importing); exits 1 on errors.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from members import importing


class Command(BaseCommand):
    help = "从 Excel（.xlsx）导入委员名册；以身份证号匹配已有委员。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="Excel 文件路径")
        parser.add_argument("--dry-run", action="store_true", help="只检查并预览，不写入")
        parser.add_argument("--user", help="记入修改记录的操作人用户名")

    def handle(self, *args, file, dry_run, user, **options):
        by = None
        if user:
            by = get_user_model().objects.filter(username=user).first()
            if by is None:
                raise CommandError(f"用户不存在：{user}")
        try:
            with open(file, "rb") as fh:
                plan = importing.parse_workbook(fh)
        except OSError as exc:
            raise CommandError(f"无法打开文件：{file}（{exc.strerror}）") from exc
        if not plan.ok:
            for error in plan.errors:
                self.stderr.write(str(error))
            raise CommandError(f"文件中有 {len(plan.errors)} 处错误，未写入任何数据。")
        counts = plan.counts
        summary = "新增 {new} 人，修改 {changed} 人，无变化 {unchanged} 人".format(**counts)
        if dry_run:
            for row in plan.rows:
                if row.action != "unchanged":
                    detail = "、".join(row.changed_fields)
                    self.stdout.write(
                        f"第 {row.row} 行 {row.name}：{row.action_label} {detail}".rstrip()
                    )
            self.stdout.write(f"预览（未写入）：{summary}。")
            return
        importing.apply_plan(plan, by=by)
        self.stdout.write(self.style.SUCCESS(f"导入完成：{summary}。"))
