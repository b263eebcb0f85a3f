"""Count a committee vote: pure functions, no database, so every rule is tested exhaustively.

The rules, as the committee's charter usually writes them:
- quorum: the share of committee members who took part (for, against or abstain) must reach
  ``quorum_percent``; otherwise nothing is decided;
- abstentions count for the quorum but not in the majority: only expressed votes (for +
  against) are compared;
- simple majority: more for than against (a tie rejects the proposal);
- two-thirds: for >= 2/3 of the expressed votes (computed with integers, no rounding);
- each college (optional): on top of that, every college that has members must give more for
  than against, so neither side of the committee can be outvoted by the other.
"""
from dataclasses import dataclass, field

FOR = "for"
AGAINST = "against"
ABSTAIN = "abstain"
CHOICES = (FOR, AGAINST, ABSTAIN)

PUBLIC = "public"
COMPANIES = "companies"
ASSOCIATIONS = "associations"
COLLEGES = (PUBLIC, COMPANIES, ASSOCIATIONS)

SIMPLE = "simple"
TWO_THIRDS = "two_thirds"
MAJORITIES = (SIMPLE, TWO_THIRDS)

ADOPTED = "adopted"
REJECTED = "rejected"
NO_QUORUM = "no_quorum"

#: Why a proposal was rejected (or not decided), for the page and the minutes.
REASON_QUORUM = "quorum_not_met"
REASON_NO_EXPRESSED = "no_expressed_votes"
REASON_TIE = "tie"
REASON_MAJORITY = "majority_not_reached"
REASON_TWO_THIRDS = "two_thirds_not_reached"
REASON_COLLEGE = "college_majority_failed"


@dataclass(frozen=True)
class Rule:
    """How a vote is decided; ``quorum_percent`` is 0-100."""

    quorum_percent: int = 50
    majority: str = SIMPLE
    each_college: bool = False

    def __post_init__(self):
        if not 0 <= self.quorum_percent <= 100:
            raise ValueError("quorum_percent must be between 0 and 100")
        if self.majority not in MAJORITIES:
            raise ValueError(f"unknown majority {self.majority!r}")


@dataclass
class Result:
    """The counted vote: the decision, why, and the tally overall and by college."""

    decision: str
    reason: str | None
    totals: dict
    by_college: dict
    members: int
    voters: int
    quorum_met: bool
    failed_colleges: list = field(default_factory=list)

    @property
    def adopted(self):
        return self.decision == ADOPTED


def empty_tally():
    return {FOR: 0, AGAINST: 0, ABSTAIN: 0}


def tally(ballots):
    """Add up ``(college, choice)`` ballots: (totals, {college: counts}) with every college present."""
    totals = empty_tally()
    by_college = {college: empty_tally() for college in COLLEGES}
    for college, choice in ballots:
        if choice not in CHOICES:
            raise ValueError(f"unknown choice {choice!r}")
        totals[choice] += 1
        by_college.setdefault(college, empty_tally())[choice] += 1
    return totals, by_college


def quorum_met(voters, members, quorum_percent):
    """Enough members took part: voters / members >= quorum_percent / 100 (integers only)."""
    if members <= 0:
        return False
    return voters * 100 >= quorum_percent * members


def majority_reached(counts, majority):
    """Whether the expressed votes (for, against) pass ``majority``; returns (passed, reason)."""
    expressed = counts[FOR] + counts[AGAINST]
    if expressed == 0:
        return False, REASON_NO_EXPRESSED
    if majority == TWO_THIRDS:
        return (True, None) if 3 * counts[FOR] >= 2 * expressed else (False, REASON_TWO_THIRDS)
    if counts[FOR] == counts[AGAINST]:
        return False, REASON_TIE
    return (True, None) if counts[FOR] > counts[AGAINST] else (False, REASON_MAJORITY)


def count(ballots, members_by_college, rule):
    """Decide a vote from its ballots, the committee's size per college and the rule."""
    totals, by_college = tally(ballots)
    members = sum(members_by_college.values())
    voters = sum(totals.values())
    result = Result(decision=REJECTED, reason=None, totals=totals, by_college=by_college, members=members,
                    voters=voters, quorum_met=quorum_met(voters, members, rule.quorum_percent))
    if not result.quorum_met:
        result.decision, result.reason = NO_QUORUM, REASON_QUORUM
        return result
    if rule.each_college:
        # Named even when the overall majority fails too, so a rejected vote always says which college said no.
        result.failed_colleges = [college for college in COLLEGES
                                  if members_by_college.get(college, 0) > 0
                                  and not majority_reached(by_college[college], SIMPLE)[0]]
    passed, reason = majority_reached(totals, rule.majority)
    if not passed:
        result.reason = reason
        return result
    if result.failed_colleges:
        result.reason = REASON_COLLEGE
        return result
    result.decision = ADOPTED
    return result


#: Kinds of decision a charter gives a rule to: the three project decisions, and any other proposal.
PERENNIAL_DECISION = "perennial"
ITERATE_DECISION = "iterate"
STOP_DECISION = "stopped"
GENERAL_DECISION = "general"
DECISION_KINDS = (PERENNIAL_DECISION, ITERATE_DECISION, STOP_DECISION, GENERAL_DECISION)
DEFAULT_RULE = Rule()


def rule_from(data, default=DEFAULT_RULE):
    """A Rule from a stored dict (a charter's), filling what it leaves out from ``default``."""
    data = data or {}
    return Rule(quorum_percent=data.get("quorum_percent", default.quorum_percent),
                majority=data.get("majority", default.majority),
                each_college=data.get("each_college", default.each_college))


def weaker_parts(proposed, required):
    """The parts of ``proposed`` that ask less than ``required``: quorum, majority, each college."""
    weaker = []
    if proposed.quorum_percent < required.quorum_percent:
        weaker.append("quorum_percent")
    if MAJORITIES.index(proposed.majority) < MAJORITIES.index(required.majority):
        weaker.append("majority")
    if required.each_college and not proposed.each_college:
        weaker.append("each_college")
    return weaker
