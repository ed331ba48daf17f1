import pytest

from wenming.testing.factories import make_register


def standard_register(community):
    """500 households (5 buildings × 2 units × 10 floors × 5 rooms), 400 occupied: the second
    units of buildings 4 and 5 are vacant — the numbers make_community gives by default."""
    vacant = [f"{b}-2-{f}{r:02d}" for b in (4, 5) for f in range(1, 11) for r in range(1, 6)]
    return make_register(community, buildings=5, units=2, floors=10, per_floor=5, vacant=vacant)


@pytest.fixture(autouse=True)
def registers(world):
    """Every community of the test world has its household register."""
    for community in (world.community_a, world.community_b):
        standard_register(community)
