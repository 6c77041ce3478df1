"""Words for numbers, as people write them on a page.

Every sentence that states a count, a direction or a comparison takes its words from here, so
that the words follow the values: "1 posting" and "3 postings", "1 of the 6 claims is
supported", "rises" or "falls" from the sign of a change. It sits with formatting.py in the
foundation layer: chart titles (charts/), audit notes (analysis/) and page prose (notebook/,
reports/) all use it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

# Irregular plurals of the nouns the pages count; anything else takes an "s" (or "es" after
# s, x, z, ch, sh) and a consonant + y becomes "ies".
_IRREGULAR = {"person": "people", "analysis": "analyses", "criterion": "criteria",
              "datum": "data", "is": "are", "was": "were", "has": "have", "does": "do",
              "this": "these", "that": "those"}


def plural(noun: str) -> str:
    """The plural of an English noun: 'posting' -> 'postings', 'country' -> 'countries',
    'usable year' -> 'usable years' (the last word is the one that changes)."""
    head, _, last = noun.rpartition(" ")
    lower = last.lower()
    if lower in _IRREGULAR:
        word = _IRREGULAR[lower]
        word = word.capitalize() if last[:1].isupper() else word
    elif lower.endswith(("s", "x", "z", "ch", "sh")):
        word = last + "es"
    elif lower.endswith("y") and len(lower) > 1 and lower[-2] not in "aeiou":
        word = last[:-1] + "ies"
    else:
        word = last + "s"
    return f"{head} {word}" if head else word


def noun_for(count: float, noun: str, plural_form: str | None = None) -> str:
    """The noun as it goes with the count: singular for exactly 1 (or -1), plural otherwise
    (0 postings, 2 postings, 1.5 years)."""
    return noun if abs(count) == 1 else (plural_form or plural(noun))


def count_text(count: float) -> str:
    """A count as written in prose: 1,234 with a separator; a whole float without '.0'."""
    if float(count).is_integer():
        return f"{int(count):,}"
    return f"{count:,g}"


def count(n: float, noun: str, plural_form: str | None = None) -> str:
    """'1 posting', '3 verdicts', '1 usable year', '12,345 postings', '0 claims'."""
    return f"{count_text(n)} {noun_for(n, noun, plural_form)}"


def verb_for(n: float, singular: str, plural_form: str | None = None) -> str:
    """The verb that agrees with a count as its subject: 1 -> 'is', 3 -> 'are'; 'changes' /
    'change' (a verb's third person singular ends in s; its plural drops it)."""
    if abs(n) == 1:
        return singular
    if plural_form is not None:
        return plural_form
    if singular in _IRREGULAR:
        return _IRREGULAR[singular]
    if singular.endswith("ies"):
        return singular[:-3] + "y"
    if singular.endswith(("sses", "xes", "zes", "ches", "shes")):
        return singular[:-2]
    return singular[:-1] if singular.endswith("s") else singular


def count_with_verb(n: float, noun: str, verb: str, plural_form: str | None = None) -> str:
    """'1 verdict changes', '3 verdicts change', '1 claim is', '2 claims are'."""
    return f"{count(n, noun, plural_form)} {verb_for(n, verb)}"


def n_of(part: float, whole: float, noun: str, verb: str = "is",
         plural_form: str | None = None, *, qualifier: str = "") -> str:
    """'1 of the 6 claims is', '4 of the 6 claims are', 'the 1 claim is' (1 of 1), 'none of the
    3 claims is' (0): the verb agrees with the part, the noun with the whole. A qualifier goes
    between noun and verb: '1 of the 6 claims the postings can test is'."""
    nouns = noun_for(whole, noun, plural_form) + (f" {qualifier}" if qualifier else "")
    if whole == 1 and part == 1:
        return f"the 1 {nouns} {verb_for(1, verb)}"
    if part == whole and whole == 2:
        return f"both {nouns} {verb_for(2, verb)}"
    if part == whole and whole > 2:
        return f"all {count_text(whole)} {nouns} {verb_for(2, verb)}"
    if part == 0:
        return f"none of the {count_text(whole)} {nouns} {verb_for(1, verb)}"
    return f"{count_text(part)} of the {count_text(whole)} {nouns} {verb_for(part, verb)}"


def capitalised(text: str) -> str:
    """The text with its first letter upper-case (the rest untouched): for sentences that
    may start with a computed word such as 'none'."""
    return text[:1].upper() + text[1:]


def lower_first(text: str) -> str:
    """A label made to run on in a sentence: 'Junior role in AI' -> 'junior role in AI', but
    'AI-adjacent' and 'LLM APIs' stay as they are (an acronym keeps its capitals)."""
    if len(text) > 1 and text[0].isupper() and not text[1].isupper() and text[1] != "-":
        return text[0].lower() + text[1:]
    return text


def listing(items: Iterable[str], conjunction: str = "and") -> str:
    """'a', 'a and b', 'a, b and c' (no serial comma, as the pages write)."""
    words = [str(i) for i in items]
    if not words:
        return ""
    if len(words) == 1:
        return words[0]
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def some_of(items: Iterable[Any], limit: int = 10, sep: str = ", ") -> str:
    """The distinct items in their first order, at most `limit` of them, then how many more:
    'QQ, ZZ' or 'A1, A2, ..., A10 and 19,990 more' (an error about 20,000 bad values stays
    one readable line)."""
    distinct = [str(i) for i in dict.fromkeys(items)]
    shown = sep.join(distinct[:limit])
    more = len(distinct) - limit
    return f"{shown} and {more:,} more" if more > 0 else shown


# Directions: one word chosen from the sign of a value, with a tolerance below which the value
# reads as no change. Each pair is (up, down, level).
RISES = ("rises", "falls", "is flat")
GROWS = ("grows", "shrinks", "stays the same")
WIDENS = ("widens", "narrows", "stays the same")
HIGHER = ("higher", "lower", "the same")
ABOVE = ("above", "below", "level with")
MORE = ("more", "less", "the same")
GAINS = ("gains", "loses", "keeps its value")
UP = ("up", "down", "unchanged")


def direction(value: float, words: Sequence[str] = RISES, *, tolerance: float = 0.0) -> str:
    """The word for the sign of value: words[0] when value > tolerance, words[1] when
    value < -tolerance, words[2] otherwise (NaN reads as the level word too, never as a
    direction)."""
    up, down, level = words
    if value != value:  # NaN
        return level
    if value > tolerance:
        return up
    if value < -tolerance:
        return down
    return level


def compare(a: float, b: float, words: Sequence[str] = HIGHER, *,
            tolerance: float = 0.0) -> str:
    """The word for a against b: 'higher' / 'lower' / 'the same' (or 'above' / 'below' /
    'level with' with words=ABOVE)."""
    return direction(a - b, words, tolerance=tolerance)


def every_or_not(flags: Sequence[bool], subjects: Sequence[str], *, all_text: str,
                 none_text: str, some_text: str, noun: str = "role") -> str:
    """A claim about every item, computed: all_text when every flag holds, none_text when
    none does, otherwise some_text followed by the exceptions ('... except in 2 roles: A and
    B'). Texts may use {n} for the number of items."""
    n = len(flags)
    held = [s for s, f in zip(subjects, flags, strict=True) if f]
    failed = [s for s, f in zip(subjects, flags, strict=True) if not f]
    if n and len(held) == n:
        return all_text.format(n=n)
    if not held:
        return none_text.format(n=n)
    return (f"{some_text.format(n=n)} except in {count(len(failed), noun)}: "
            f"{listing(failed)}")


def percent_text(fraction: float, digits: int = 0, *, signed: bool = False) -> str:
    """0.283 -> '28%' (digits=0) or '28.3%'; signed=True writes '+28%' / '-5%' (as
    formatting.signed_usd does); a value that rounds to zero reads '0%'. NaN reads 'n/a'."""
    if fraction != fraction:
        return "n/a"
    value = fraction * 100
    text = f"{abs(value):,.{digits}f}%"
    if float(text.rstrip("%").replace(",", "")) == 0:
        return f"{0:.{digits}f}%"
    if signed:
        return ("+" if value > 0 else "-") + text
    return ("-" if value < 0 else "") + text


def times_text(ratio: float, digits: int = 2) -> str:
    """A multiplier as written: 0.64 -> '×0.64'."""
    return f"\N{MULTIPLICATION SIGN}{ratio:.{digits}f}"


_SMALL = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
          "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
          "eighteen", "nineteen", "twenty")


def spelled(n: float) -> str:
    """A count as prose writes it: whole numbers up to twenty in words ('fourteen'), larger or
    fractional ones in figures ('21', '1,234', '2.5')."""
    if float(n).is_integer() and 0 <= n <= 20:
        return _SMALL[int(n)]
    return count_text(n)


def spelled_count(n: float, noun: str, plural_form: str | None = None) -> str:
    """'one role', 'fourteen roles', 'no roles' (0); above twenty in figures ('31 adverts')."""
    if n == 0:
        return f"no {plural_form or plural(noun)}"
    return f"{spelled(n)} {noun_for(n, noun, plural_form)}"


def multiple_text(ratio: float) -> str:
    """How many times larger, as a reader takes it in: 3.8 -> '3.8 times', 42 -> 'tens of
    times', 792 -> 'hundreds of times', 5,000 -> 'thousands of times'; 1 or less -> 'no more
    than'. The exact multiple is for the table beside it."""
    if ratio != ratio:
        return "an unknown multiple of"
    if ratio <= 1:
        return "no more than"
    if ratio < 10:
        return f"{ratio:.1f} times"
    for limit, word in ((100, "tens"), (1_000, "hundreds"), (1_000_000, "thousands")):
        if ratio < limit:
            return f"{word} of times"
    return "millions of times"
