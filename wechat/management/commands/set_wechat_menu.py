from django.core.management.base import BaseCommand, CommandError
from wechatpy.exceptions import WeChatClientException

from wechat import client
from wechat.menu import MenuTooLarge, menu_data


class Command(BaseCommand):
    help = (
        "Set the WeChat official account's menu: 办事大厅 (every service) and 我的 "
        "(My Affairs, the personal center)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--language", default=None, help="menu language (default: LANGUAGE_CODE)"
        )
        parser.add_argument("--dry-run", action="store_true", help="print the menu, send nothing")

    def handle(self, *args, language=None, dry_run=False, **options):
        import json

        try:
            data = menu_data(language)
        except MenuTooLarge as exc:
            raise CommandError(f"The menu does not fit WeChat's limits: {exc}") from exc
        if dry_run:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        if not client.enabled():
            raise CommandError("WECHAT_APP_ID and WECHAT_SECRET are not set.")
        try:
            client.get_client().menu.create(data)
        except WeChatClientException as exc:
            raise CommandError(f"WeChat refused the menu: {exc.errcode} {exc.errmsg}") from exc
        buttons = "; ".join(
            f"{button['name']}: {', '.join(entry['name'] for entry in button['sub_button'])}"
            for button in data["button"]
        )
        self.stdout.write(self.style.SUCCESS(f"Menu set: {buttons}"))
