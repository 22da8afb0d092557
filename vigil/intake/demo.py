"""A few fictional reports waiting in the triage queue, some urgent, one answered."""

from datetime import timedelta
from typing import Any

from vigil.accounts.models import User
from vigil.intake import services
from vigil.intake.models import Submission

DATASET = "intake"

REPORTS = [
    ("COL", True, "Two men on a motorbike followed our spokesperson home and said she would "
     "be next if the community kept blocking the mine road."),
    ("PHL", True, "Our organiser was taken from the union office by men in plain clothes. "
     "Nobody knows where he is."),
    ("KEN", False, "The county police charged three members of our land committee with "
     "incitement after the public hearing."),
    ("GTM", False, "Posters calling our radio station 'terrorists' appeared all over town."),
    ("COL", False, "Our lawyer's phone was stolen from her car; the laptop was left behind."),
    ("MEX", False, "A journalist who covers the water conflict received a funeral wreath "
     "with her name on it."),
    ("PHL", False, "Soldiers came to the school asking for the names of the teachers who "
     "spoke at the rally."),
    ("KEN", True, "A defender who spoke at the UN in Geneva was threatened at the airport "
     "on his return."),
]  # fmt: skip


def load(*, fake: Any, stdout: Any) -> None:
    officer = User.objects.get(username="officer")
    for number, (country, urgent, text) in enumerate(REPORTS):
        receipt = services.submission_create(
            form_token=services.new_form_token(),
            language="en",
            what_happened=text,
            country=country,
            urgent=urgent,
            when=fake.date_between(start_date="-60d", end_date="-1d").isoformat(),
        )
        Submission.objects.filter(pk=receipt.submission.pk).update(
            received_on=receipt.submission.received_on - timedelta(days=number * 2)
        )
        if number == 2:
            services.desk_message(
                actor=officer,
                submission=receipt.submission,
                text="Thank you. Are the three committee members in detention now?",
            )
