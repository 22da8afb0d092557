"""A Colombian case whose two defenders consented differently: both to the State,
only Marta Quispe to publication."""

import pytest

from vigil.cases import services as case_services
from vigil.cases.tests import factories as make


@pytest.fixture
def case(alice):
    case = make.case(alice, title="River committee")
    named = make.defender(
        alice, name="Marta Quispe", consent_share_state=True, consent_publish=True
    )
    unnamed = make.defender(alice, name="Rosa Tupac", consent_share_state=True)
    for defender in (named, unnamed):
        case_services.case_add_defender(actor=alice, case=case, defender=defender)
    incident = make.incident(alice, case=case)
    make.act(alice, incident=incident, victim=named)
    make.act(alice, incident=incident, victim=unnamed)
    return case
