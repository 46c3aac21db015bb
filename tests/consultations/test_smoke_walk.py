from consultations.models import MatterStatus


def test_walk_completes(matter, walk_to):
    done = walk_to(matter, "completed")
    assert done.status == MatterStatus.COMPLETED
