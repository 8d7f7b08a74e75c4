from salesdesk.core.assignment import next_owner


def test_round_robin_goes_round_in_the_order_given():
    team = ["ann", "bob", "cai"]
    assert next_owner(team, None) == "ann"
    assert next_owner(team, "ann") == "bob"
    assert next_owner(team, "cai") == "ann"
    assert next_owner(team, "someone who left") == "ann"
    assert next_owner([], "ann") is None
