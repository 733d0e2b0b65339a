"""Factories build state the way users do: through the services."""

from __future__ import annotations

import factory

from portal.accounts import services
from portal.accounts.models import User

PASSWORD = "correct horse battery staple"


class UserFactory(factory.Factory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@parvis.example")
    password = PASSWORD
    display_name = factory.Sequence(lambda n: f"Person {n:04d}")
    organisation = "Parvis Tourism Board"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.user_create(**kwargs)


class GuestFactory(UserFactory):
    email = factory.Sequence(lambda n: f"partner{n}@funder.example")
    organisation = "Funder"
    is_external = True
