from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "portal.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from portal.accounts import privacy, signals  # noqa: F401

        # "Your data": the account's own part first; each app adds its own in its ready().
        privacy.register(privacy.Contribution(app="accounts", export=privacy.account_entries))
