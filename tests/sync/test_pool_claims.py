"""Two people claim one lead from the pool before syncing: one owner, the other told."""

from datetime import timedelta

from salesdesk.store.conflicts import ConflictStore
from salesdesk.store.pool import Pool


def test_two_claims_of_one_lead_end_with_one_owner_and_the_other_told(team):
    ann, bob, _cai = team
    for device in (ann, bob):
        device.store.set_setting("pool_cooldown_days", 0)
    lead = ann.store.add_customer("Mary Cooper", company="Acme")
    ann.store.update_customer(lead, {"owner": ""})
    bob.merge_from(ann)
    # both see it in the pool and claim it, offline; bob's clock writes later
    ann.clock.advance(minutes=5)
    bob.clock.advance(hours=11, minutes=10)
    assert Pool(ann.store).state(lead, ann.clock.today()).kind == "pooled"
    assert Pool(bob.store).state(lead, bob.clock.today()).kind == "pooled"
    Pool(ann.store).claim(lead, ann.clock.today())
    Pool(bob.store).claim(lead, bob.clock.today())
    told_ann = ann.merge_from(bob)
    told_bob = bob.merge_from(ann)
    assert ann.store.customer(lead).owner == bob.store.customer(lead).owner == "bob"
    assert "Mary Cooper was claimed by bob too before you synced: it is bob's." in told_ann.notes
    assert not any("Mary Cooper" in note for note in told_bob.notes)
    assert [c.field for c in ConflictStore(ann.store).unresolved()] == ["owner"]
    # the pool agrees on both copies
    day = ann.clock.today() + timedelta(days=1)
    assert Pool(ann.store).state(lead, day).owner == Pool(bob.store).state(lead, day).owner == "bob"
    assert Pool(ann.store).state(lead, day).kind == "owned"
