"""Phone numbers normalised for matching, with the phonenumbers library.

A number is stored as it was typed; matching compares normalised forms, so
'+86 138-0013-8000' finds '13800138000' and '+1 (415) 555-0100' finds '415 555 0100'.
"""

from functools import lru_cache

# Numbers typed without a country code are read as numbers of these regions, after
# the user's own (`phone_region`). Chinese 11-digit mobiles and 10-digit North
# American numbers are what salesdesk's users mostly type; a national number valid
# in both is indexed under both, so it matches whichever one was meant.
FALLBACK_REGIONS = ("CN", "US")
_SHARED_PLANS = {"US": ("US", "CA"), "CA": ("CA", "US")}  # one numbering plan, +1


def phone_match_keys(phone: str, region: str | None = None) -> frozenset[str]:
    """Every E.164 form the number can be read as, or its digits when none is valid.

    Two numbers refer to the same phone when their key sets share a member. An
    extension is part of the key: colleagues share an office number but not their
    extensions. Fewer than five digits is not a phone number to match on: the set is
    empty (compare `typed_phone` instead).
    """
    regions = tuple(dict.fromkeys(r.upper() for r in (region, *FALLBACK_REGIONS) if r))
    return _keys(phone.strip(), regions)


@lru_cache(maxsize=65_536)
def _keys(phone: str, regions: tuple[str, ...]) -> frozenset[str]:
    import phonenumbers

    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) < 5:
        return frozenset()
    keys = set()
    international = phone.startswith("+")
    for region in regions[:1] if international else regions:
        try:
            number = phonenumbers.parse(phone, region)
        except phonenumbers.NumberParseException:
            continue
        # With its country code a number reads one way only; the cheap length check
        # will do. Without it, a region is right only if the number is valid there
        # (checked for that region: a check over all 25 regions of the North American
        # plan would be most of an import's time; Canada is checked with the US).
        if international:
            valid = phonenumbers.is_possible_number(number)
        else:
            valid = any(
                phonenumbers.is_valid_number_for_region(number, plan)
                for plan in _SHARED_PLANS.get(region, (region,))
            )
        if valid:
            key = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            keys.add(f"{key};ext={number.extension}" if number.extension else key)
    return frozenset(keys) if keys else frozenset({"#" + digits})


def typed_phone(phone: str) -> str:
    """A number as typed, for comparing what cannot be read as a full number ('100', 'ext. 12').

    Case and spaces aside, it is the text itself: two short numbers are the same only
    when they were typed alike.
    """
    return "".join(phone.split()).casefold()


def same_phone(one: str, other: str, region: str | None = None) -> bool:
    """Whether two typed numbers are the same phone (extension included)."""
    if typed_phone(one) == typed_phone(other):
        return True
    return bool(phone_match_keys(one, region) & phone_match_keys(other, region))
