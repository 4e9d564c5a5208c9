import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from complaints import deadlines, references
from complaints.choices import Channel, TargetKind
from complaints.clock import Unit
from complaints.models import Category, Complaint, ComplaintPolicy, PolicyTarget
from complaints.roles import HANDLERS, SUPERVISORS


class PolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ComplaintPolicy
        django_get_or_create = ["slug"]
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Policy {n}")
    slug = factory.Sequence(lambda n: f"policy-{n}")
    country = "GB"
    subdivision = "ENG"
    time_zone = "Europe/London"
    is_default = False

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Migrations give every database a neutral default policy; a test's default replaces it.
        if kwargs.get("is_default"):
            ComplaintPolicy.objects.filter(is_default=True).update(is_default=False)
        return super()._create(model_class, *args, **kwargs)

    @factory.post_generation
    def targets(policy, create, extracted, **kwargs):
        """Give the policy promises: pass {kind: (aim, limit, unit)}; by default a simple set."""
        wanted = extracted if extracted is not None else DEFAULT_TARGETS
        for kind, (aim, amount, unit) in wanted.items():
            PolicyTarget.objects.create(policy=policy, kind=kind, aim=aim, amount=amount, unit=unit)


DEFAULT_TARGETS = {
    TargetKind.ACKNOWLEDGE: (None, 24, Unit.HOURS),
    TargetKind.FIRST_RESPONSE: (3, 5, Unit.BUSINESS_DAYS),
    TargetKind.RESOLVE: (10, 15, Unit.BUSINESS_DAYS),
    TargetKind.COMPLEX_RESOLVE: (None, 30, Unit.CALENDAR_DAYS),
    TargetKind.ESCALATION_REVIEW: (5, 7, Unit.BUSINESS_DAYS),
    TargetKind.UPDATE_INTERVAL: (None, 5, Unit.CALENDAR_DAYS),
    TargetKind.ESCALATION_WINDOW: (None, 30, Unit.CALENDAR_DAYS),
    TargetKind.AUTO_CLOSE: (None, 14, Unit.CALENDAR_DAYS),
    TargetKind.REOPEN_WINDOW: (None, 30, Unit.CALENDAR_DAYS),
}


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@redress.example")
    password = factory.django.Password("correct horse battery staple")
    is_staff = True


class HandlerFactory(UserFactory):
    @factory.post_generation
    def group(user, create, extracted, **kwargs):
        user.groups.add(Group.objects.get(name=HANDLERS))


class SupervisorFactory(UserFactory):
    @factory.post_generation
    def group(user, create, extracted, **kwargs):
        user.groups.add(Group.objects.get(name=SUPERVISORS))


class ComplaintFactory(factory.django.DjangoModelFactory):
    """A complaint as the submit service would store it, without going through the service."""

    class Meta:
        model = Complaint

    reference = factory.LazyFunction(references.generate)
    tracking_token = factory.Sequence(lambda n: f"token-{n:040d}")
    policy = factory.SubFactory(PolicyFactory)
    channel = Channel.WEB
    complainant_name = factory.Faker("name")
    complainant_email = factory.Sequence(lambda n: f"complainant{n}@example.com")
    description = "I was charged twice."
    received_at = factory.LazyFunction(lambda: dt.datetime.now(dt.UTC))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        complaint = model_class(*args, **kwargs)
        deadlines.set_on_receipt(complaint)
        complaint.save()
        return complaint
