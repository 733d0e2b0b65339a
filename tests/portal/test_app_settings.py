"""portal.core.app_settings: an app's setting is read from Django settings on each use, with
the default declared once beside it."""

from portal.core.app_settings import AppSettings, Setting


class ExampleSettings(AppSettings):
    prefix = "EXAMPLE_"
    DAYS: int = Setting(14)
    HOUR: int = Setting(7, name="OTHER_HOUR")
    PAGE_SIZE = 20  # a constant, not a setting


def test_the_default_holds_until_django_settings_name_it(settings):
    example = ExampleSettings()
    assert example.DAYS == 14 and example.HOUR == 7 and example.PAGE_SIZE == 20
    settings.EXAMPLE_DAYS = 3
    settings.OTHER_HOUR = 9
    assert example.DAYS == 3 and example.HOUR == 9  # read on each use, not at import
    del settings.EXAMPLE_DAYS
    assert example.DAYS == 14


def test_the_apps_settings_follow_django_settings(settings):
    from communities.app_settings import app_settings as communities_settings
    from guests.app_settings import app_settings as guests_settings

    settings.GUESTS_INVITATION_DAYS = 5
    settings.DIGESTS_MAX_ATTEMPTS = 2
    assert guests_settings.INVITATION_DAYS == 5
    assert communities_settings.DIGESTS_MAX_ATTEMPTS == 2
