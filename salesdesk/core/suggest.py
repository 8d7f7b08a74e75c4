"""What to offer a customer next: the rules, from what the store read of who bought what.

Two kinds of suggestion, each with its reason in words:

* *reorder*: a product the customer bought on two days or more, once their own interval
  for it (the median of the gaps between their purchases of it) has passed since the last
  one, or will within `AHEAD_DAYS` (the week Today looks ahead, where it shows as well).
  The one nearest its due day, against that interval, comes first.
* *bought together*: association rules over the customers' purchases. For a product P
  this customer bought and a product Q they have not, support is the number of
  customers who bought both, and confidence is support over the customers who bought P
  (this one included). A rule counts from `MIN_SUPPORT` customers and `MIN_CONFIDENCE`;
  each Q keeps its best rule. They rank by confidence, then support, then how many
  customers similar to this one (same industry, or a tag in common) bought Q, then by
  name, so the same data always gives the same list.

Reorders come before products bought together: a due reorder is about this customer's
own habit. Pure functions: the store (`salesdesk.store.suggest`) gathers the facts and
gives `today`; nothing here reads the clock or the database.
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from statistics import median
from typing import NamedTuple

from salesdesk.core import agenda
from salesdesk.core.agenda import AgendaItem, reminder_id
from salesdesk.i18n import _, long_date, ngettext, short_date

REORDER, TOGETHER = agenda.REORDER, "together"
MIN_SUPPORT = 2  # customers who bought both, at least
MIN_CONFIDENCE = 0.05  # of the customers who bought P, at least this share bought Q too
LIMIT = 3
AHEAD_DAYS = 7  # a reorder is offered from a week before it falls due, as Today shows it


class Purchase(NamedTuple):
    """A product on a won deal of the customer, and the day that deal closed."""

    product_id: str
    name: str
    day: date


class PairCount(NamedTuple):
    """Of the customers who bought `product` (`buyers`), `support` bought `other` too."""

    product: str
    other: str
    support: int
    buyers: int


@dataclass(frozen=True)
class Suggestion:
    """One product to offer, why, and the figures the reason is made of."""

    product_id: str
    name: str
    kind: str  # REORDER or TOGETHER
    reason: str
    # reorder: how often they bought it, their interval, the last time, when it fell due
    times: int = 0
    interval: int = 0
    last: date | None = None
    due: date | None = None
    # bought together: because of which product, its rule and the similar customers
    because: str = ""
    because_name: str = ""
    support: int = 0
    buyers: int = 0
    confidence: float = 0.0
    similar: int = 0


def interval_of(days: Iterable[date]) -> int | None:
    """The typical days between purchases (median gap, rounded); None under two days."""
    ordered = sorted(set(days))
    gaps = [(later - earlier).days for earlier, later in pairwise(ordered)]
    return round(median(gaps)) if gaps else None


def _day_text(day: date, today: date) -> str:
    """A date as salesdesk shows it: short within this year, with its year before."""
    return short_date(day) if day.year == today.year else long_date(day)


def reorder_reason(name: str, times: int, interval: int, last: date, today: date) -> str:
    """'Bought X 4 times, about every 90 days; last on Sat 01 Aug (122 days ago)'."""
    ago = (today - last).days
    return ngettext(
        "Bought {name} {times} times, about every {interval} day; last on {date} ({ago} days ago)",
        "Bought {name} {times} times, about every {interval} days; last on {date} ({ago} days ago)",
        interval,
    ).format(name=name, times=times, interval=interval, date=_day_text(last, today), ago=ago)


def together_reason(support: int, buyers: int, because: str, name: str) -> str:
    """'7 of 9 customers who bought X also bought Y'."""
    return ngettext(
        "{support} of {buyers} customer who bought {because} also bought {name}",
        "{support} of {buyers} customers who bought {because} also bought {name}",
        buyers,
    ).format(support=support, buyers=buyers, because=because, name=name)


def reorders(
    purchases: Iterable[Purchase], today: date, offered: Iterable[str] | None = None, ahead: int = AHEAD_DAYS
) -> list[Suggestion]:
    """Products bought on two days or more whose interval has passed (or will within
    `ahead` days), the one nearest its due day first.

    `offered`: the products that may be suggested (active ones); None: any.
    """
    days: dict[str, set[date]] = {}
    names: dict[str, str] = {}
    for purchase in purchases:
        if purchase.day <= today:
            days.setdefault(purchase.product_id, set()).add(purchase.day)
            names[purchase.product_id] = purchase.name
    allowed = None if offered is None else set(offered)
    found: list[tuple[float, str, str, Suggestion]] = []
    for product_id, bought in days.items():
        interval = interval_of(bought)
        if interval is None or interval <= 0 or (allowed is not None and product_id not in allowed):
            continue
        last = max(bought)
        due = last + timedelta(days=interval)
        if due > today + timedelta(days=ahead):
            continue
        name = names[product_id]
        suggestion = Suggestion(
            product_id,
            name,
            REORDER,
            reorder_reason(name, len(bought), interval, last, today),
            times=len(bought),
            interval=interval,
            last=last,
            due=due,
        )
        # The one nearest its due day against its own interval first (a product left
        # for many intervals may no longer be bought); then the name, then the id.
        found.append((abs((today - due).days) / interval, name.casefold(), product_id, suggestion))
    found.sort(key=lambda entry: entry[:3])
    return [entry[3] for entry in found]


def together(
    pairs: Iterable[PairCount],
    bought: Iterable[str],
    names: Mapping[str, str],
    similar: Mapping[str, int] | None = None,
    *,
    min_support: int = MIN_SUPPORT,
    min_confidence: float = MIN_CONFIDENCE,
) -> list[Suggestion]:
    """Products bought by customers who bought what this one bought, best rule first.

    `names` holds the products that may be suggested (and the names of those bought);
    `similar`: product -> customers like this one who bought it (the tie-break).
    """
    mine = set(bought)
    similar = similar or {}
    best: dict[str, tuple[float, int, str, int]] = {}
    for pair in pairs:
        if pair.other in mine or pair.other not in names or pair.product not in mine or pair.buyers <= 0:
            continue
        confidence = pair.support / pair.buyers
        if pair.support < min_support or confidence < min_confidence:
            continue
        key = (confidence, pair.support, pair.product, pair.buyers)
        held = best.get(pair.other)
        # The best rule for Q: the highest confidence, then support; then the product's name.
        if (
            held is None
            or (confidence, pair.support) > held[:2]
            or (
                (confidence, pair.support) == held[:2]
                and (names.get(pair.product, ""), pair.product) < (names.get(held[2], ""), held[2])
            )
        ):
            best[pair.other] = key
    found = []
    for other, (confidence, support, product, buyers) in best.items():
        because = names.get(product, product)
        found.append(
            Suggestion(
                other,
                names[other],
                TOGETHER,
                together_reason(support, buyers, because, names[other]),
                because=product,
                because_name=because,
                support=support,
                buyers=buyers,
                confidence=confidence,
                similar=similar.get(other, 0),
            )
        )
    found.sort(key=lambda s: (-s.confidence, -s.support, -s.similar, s.name.casefold(), s.product_id))
    return found


def suggestions(
    purchases: Iterable[Purchase],
    pairs: Iterable[PairCount],
    names: Mapping[str, str],
    today: date,
    similar: Mapping[str, int] | None = None,
    limit: int = LIMIT,
) -> list[Suggestion]:
    """Up to `limit` products to offer: due reorders first, then products bought together.

    `names`: the products that may be offered (active), by id, with their names.
    """
    purchases = list(purchases)
    due = reorders(purchases, today, names)
    bought = {purchase.product_id for purchase in purchases if purchase.day <= today}
    chosen = due[:limit]
    if len(chosen) < limit:
        chosen += together(pairs, bought, {**{p.product_id: p.name for p in purchases}, **names}, similar)[
            : limit - len(chosen)
        ]
    return [s for s in chosen if s.product_id in names][:limit]


class ReorderFact(NamedTuple):
    """A product a customer bought on two days or more, as the agenda reads it."""

    customer_id: str
    customer: str
    company: str
    owner: str
    product_id: str
    name: str
    days: tuple[date, ...]


def reorder_reminders(facts: Iterable[ReorderFact], first: date, last: date, today: date) -> list[AgendaItem]:
    """Today's reorder rows: each product whose next due day, a whole number of the
    customer's intervals after their last purchase, falls from `first` (the oldest day
    still shown overdue) to `last` (the horizon). Its occurrence is the product and that
    day: done or dismissed, it comes back one interval later if nothing was bought."""
    items = []
    for fact in facts:
        interval = interval_of(fact.days)
        if not interval or interval <= 0:
            continue
        bought = max(fact.days)
        intervals = max(1, -(-(first - bought).days // interval))  # the first not before `first`
        due = bought + timedelta(days=interval * intervals)
        if due > last:
            continue
        occurrence = f"{fact.product_id}@{due.isoformat()}"
        items.append(
            AgendaItem(
                key=reminder_id(REORDER, fact.customer_id, occurrence),
                kind=REORDER,
                due=due,
                what=_("Reorder {product}?").format(product=fact.name),
                why=_("buys every ~{interval}d, last {ago}d ago").format(
                    interval=interval, ago=(today - bought).days
                ),
                customer_id=fact.customer_id,
                customer=fact.customer,
                company=fact.company,
                owner=fact.owner,
                occurrence=occurrence,
            )
        )
    return items


class PurchaseIndex:
    """Every customer's purchases, held in memory to answer many suggestions quickly.

    Built from one read of the won deals' product lines (`rows`: customer, product, the
    ISO day its deal closed), the products (`names`, `offered`: those that may be
    suggested) and, for the tie-break, each buyer's industry and tags. Every question
    takes `before`, an ISO day: only purchases before it count.
    """

    def __init__(
        self,
        rows: Iterable[tuple[str, str, str]],
        names: Mapping[str, str],
        offered: Mapping[str, str],
        industry: Mapping[str, str],
        tags: Mapping[str, frozenset[str]],
    ):
        self.days: dict[str, dict[str, list[str]]] = {}  # customer -> product -> days, sorted
        self.first: dict[str, dict[str, str]] = {}  # product -> customer -> first day
        for customer_id, product_id, day in rows:
            self.days.setdefault(customer_id, {}).setdefault(product_id, []).append(day)
            buyers = self.first.setdefault(product_id, {})
            if customer_id not in buyers or day < buyers[customer_id]:
                buyers[customer_id] = day
        for products in self.days.values():
            for days in products.values():
                days.sort()
        self.names = dict(names)
        self.offered = dict(offered)
        self.industry = dict(industry)
        self.tags = dict(tags)

    def bought(self, customer_id: str, before: str) -> dict[str, list[str]]:
        """The customer's products bought before `before`, each with its days."""
        found = {}
        for product_id, days in self.days.get(customer_id, {}).items():
            known = [day for day in days if day < before]
            if known:
                found[product_id] = known
        return found

    def purchases(self, customer_id: str, before: str) -> list[Purchase]:
        return [
            Purchase(product_id, self.names.get(product_id, ""), date.fromisoformat(day))
            for product_id, days in sorted(self.bought(customer_id, before).items())
            for day in sorted(set(days))
        ]

    def pair_counts(self, customer_id: str, before: str) -> list[PairCount]:
        """For each product P the customer bought: how many customers bought it, and how
        many of them bought each product Q the customer has not."""
        mine = set(self.bought(customer_id, before))
        found: list[PairCount] = []
        theirs: dict[str, list[str]] = {}  # a peer -> what they bought that this one has not
        for product in sorted(mine):
            buyers = [c for c, day in self.first.get(product, {}).items() if day < before]
            counts: Counter[str] = Counter()
            for peer in buyers:
                if peer == customer_id:
                    continue
                others = theirs.get(peer)
                if others is None:
                    others = theirs[peer] = [
                        q for q, days in self.days[peer].items() if days[0] < before and q not in mine
                    ]
                counts.update(others)
            found += [PairCount(product, q, n, len(buyers)) for q, n in sorted(counts.items())]
        return found

    def similar_counts(self, customer_id: str, candidates: Iterable[str], before: str) -> dict[str, int]:
        """For each candidate: how many customers like this one (the same industry, or a
        tag in common) bought it."""
        industry = self.industry.get(customer_id, "")
        tags = self.tags.get(customer_id, frozenset())
        found = {}
        for product in candidates:
            found[product] = sum(
                1
                for c, day in self.first.get(product, {}).items()
                if day < before
                and c != customer_id
                and (
                    (industry and self.industry.get(c) == industry)
                    or (tags and not tags.isdisjoint(self.tags.get(c, ())))
                )
            )
        return found

    def suggestions(self, customer_id: str, today: date, before: str, limit: int = LIMIT) -> list[Suggestion]:
        """Up to `limit` products to offer (see `suggestions`), from purchases before `before`."""
        purchases = self.purchases(customer_id, before)
        if not purchases or not self.offered:
            return []
        due = reorders(purchases, today, self.offered)
        pairs: list[PairCount] = []
        similar: dict[str, int] = {}
        if len(due) < limit:
            pairs = self.pair_counts(customer_id, before)
            bought = {purchase.product_id for purchase in purchases}
            names = {**{p.product_id: p.name for p in purchases}, **self.offered}
            # Similar customers only break ties: they are counted for the products whose
            # confidence and support equal those of one that can be among the first.
            ranked = together(pairs, bought, names)
            cut = {(s.confidence, s.support) for s in ranked[: limit - len(due)]}
            candidates = {s.product_id for s in ranked if (s.confidence, s.support) in cut}
            similar = self.similar_counts(customer_id, candidates, before)
        return suggestions(purchases, pairs, self.offered, today, similar, limit)

    def popular(self, customer_id: str, before: str, limit: int = LIMIT) -> list[str]:
        """The baseline: the products on offer most customers bought before `before`
        (then by name), that this customer had not."""
        mine = self.bought(customer_id, before)
        ranked = []
        for product, name in self.offered.items():
            if product in mine:
                continue
            buyers = sum(1 for day in self.first.get(product, {}).values() if day < before)
            if buyers:
                ranked.append((-buyers, name.casefold(), product))
        return [product for *_key, product in sorted(ranked)[:limit]]
