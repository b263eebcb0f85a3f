"""Vote counting rules, exhaustively, on the pure counting module."""
import pytest

from coopserv.governance import voting
from coopserv.governance.voting import (
    ABSTAIN,
    ADOPTED,
    AGAINST,
    ASSOCIATIONS,
    COMPANIES,
    FOR,
    NO_QUORUM,
    PUBLIC,
    REJECTED,
    SIMPLE,
    TWO_THIRDS,
    Rule,
    count,
)

#: Five members: two public bodies, two companies, one association.
COMMITTEE = {PUBLIC: 2, COMPANIES: 2, ASSOCIATIONS: 1}


def ballots(*pairs):
    return list(pairs)


def test_quorum_not_met_decides_nothing():
    result = count(ballots((PUBLIC, FOR), (COMPANIES, FOR)), COMMITTEE, Rule(quorum_percent=50))
    assert result.decision == NO_QUORUM
    assert result.reason == voting.REASON_QUORUM
    assert not result.quorum_met and not result.adopted
    assert (result.voters, result.members) == (2, 5)


@pytest.mark.parametrize("voters, quorum, met", [
    (3, 50, True),    # 60 % >= 50 %
    (2, 40, True),    # exactly 40 %
    (2, 41, False),
    (5, 100, True),
    (4, 100, False),
    (0, 0, True),     # a zero quorum is always met when the committee exists
])
def test_quorum_boundaries(voters, quorum, met):
    assert voting.quorum_met(voters, 5, quorum) is met


def test_quorum_never_met_without_members():
    assert voting.quorum_met(0, 0, 0) is False
    assert count([], {}, Rule(quorum_percent=0)).decision == NO_QUORUM


def test_simple_majority_adopts():
    result = count(ballots((PUBLIC, FOR), (COMPANIES, FOR), (ASSOCIATIONS, AGAINST)), COMMITTEE, Rule())
    assert result.decision == ADOPTED and result.reason is None
    assert result.totals == {FOR: 2, AGAINST: 1, ABSTAIN: 0}


def test_simple_majority_against_rejects():
    result = count(ballots((PUBLIC, AGAINST), (COMPANIES, AGAINST), (ASSOCIATIONS, FOR)), COMMITTEE, Rule())
    assert result.decision == REJECTED and result.reason == voting.REASON_MAJORITY


def test_tie_rejects():
    result = count(ballots((PUBLIC, FOR), (PUBLIC, AGAINST), (COMPANIES, FOR), (COMPANIES, AGAINST)),
                   COMMITTEE, Rule())
    assert result.decision == REJECTED and result.reason == voting.REASON_TIE


def test_abstentions_count_for_quorum_not_for_majority():
    # 1 for, 0 against, 3 abstain: quorum reached thanks to abstentions, adopted by the only expressed vote.
    result = count(ballots((PUBLIC, FOR), (PUBLIC, ABSTAIN), (COMPANIES, ABSTAIN), (ASSOCIATIONS, ABSTAIN)),
                   COMMITTEE, Rule(quorum_percent=80))
    assert result.quorum_met and result.decision == ADOPTED
    # Without the abstentions the quorum would not be met.
    assert count(ballots((PUBLIC, FOR)), COMMITTEE, Rule(quorum_percent=80)).decision == NO_QUORUM


def test_only_abstentions_reject():
    result = count(ballots((PUBLIC, ABSTAIN), (COMPANIES, ABSTAIN), (ASSOCIATIONS, ABSTAIN)), COMMITTEE, Rule())
    assert result.decision == REJECTED and result.reason == voting.REASON_NO_EXPRESSED


@pytest.mark.parametrize("for_, against, abstain, decision", [
    (2, 1, 0, ADOPTED),    # exactly two-thirds
    (4, 2, 0, ADOPTED),    # exactly two-thirds again
    (3, 2, 0, REJECTED),   # 60 %
    (3, 1, 1, ADOPTED),    # abstention ignored: 75 % of expressed
    (2, 2, 1, REJECTED),
    (1, 0, 4, ADOPTED),    # 100 % of the single expressed vote
])
def test_two_thirds(for_, against, abstain, decision):
    members = {PUBLIC: 3, COMPANIES: 3}
    votes = [(PUBLIC, FOR)] * for_ + [(COMPANIES, AGAINST)] * against + [(COMPANIES, ABSTAIN)] * abstain
    result = count(votes, members, Rule(quorum_percent=0, majority=TWO_THIRDS))
    assert result.decision == decision
    if decision == REJECTED:
        assert result.reason == voting.REASON_TWO_THIRDS


def test_two_thirds_is_stricter_than_simple_majority():
    votes = ballots((PUBLIC, FOR), (PUBLIC, FOR), (COMPANIES, FOR), (COMPANIES, AGAINST), (ASSOCIATIONS, AGAINST))
    assert count(votes, COMMITTEE, Rule(majority=SIMPLE)).decision == ADOPTED
    assert count(votes, COMMITTEE, Rule(majority=TWO_THIRDS)).decision == REJECTED


def test_majority_in_each_college_fails_in_one_college():
    # Overall 4 for, 1 against; but the association college votes against.
    votes = ballots((PUBLIC, FOR), (PUBLIC, FOR), (COMPANIES, FOR), (COMPANIES, FOR), (ASSOCIATIONS, AGAINST))
    assert count(votes, COMMITTEE, Rule()).decision == ADOPTED
    result = count(votes, COMMITTEE, Rule(each_college=True))
    assert result.decision == REJECTED
    assert result.reason == voting.REASON_COLLEGE
    assert result.failed_colleges == [ASSOCIATIONS]
    assert result.by_college[ASSOCIATIONS] == {FOR: 0, AGAINST: 1, ABSTAIN: 0}


def test_majority_in_each_college_met():
    votes = ballots((PUBLIC, FOR), (PUBLIC, AGAINST), (PUBLIC, FOR), (COMPANIES, FOR), (ASSOCIATIONS, FOR))
    result = count(votes, {PUBLIC: 3, COMPANIES: 1, ASSOCIATIONS: 1}, Rule(each_college=True))
    assert result.decision == ADOPTED and result.failed_colleges == []


def test_each_college_tie_or_silence_fails_that_college():
    members = {PUBLIC: 2, COMPANIES: 2, ASSOCIATIONS: 1}
    tie = ballots((PUBLIC, FOR), (PUBLIC, AGAINST), (COMPANIES, FOR), (COMPANIES, FOR), (ASSOCIATIONS, FOR))
    assert count(tie, members, Rule(each_college=True)).failed_colleges == [PUBLIC]
    silent = ballots((PUBLIC, FOR), (PUBLIC, FOR), (COMPANIES, FOR), (COMPANIES, FOR), (ASSOCIATIONS, ABSTAIN))
    assert count(silent, members, Rule(each_college=True)).failed_colleges == [ASSOCIATIONS]


def test_each_college_ignores_colleges_without_members():
    votes = ballots((PUBLIC, FOR), (COMPANIES, FOR), (COMPANIES, AGAINST), (COMPANIES, FOR))
    result = count(votes, {PUBLIC: 1, COMPANIES: 3, ASSOCIATIONS: 0}, Rule(each_college=True))
    assert result.decision == ADOPTED


def test_each_college_with_two_thirds_checks_both():
    # Two-thirds overall not reached: the overall rule rejects before colleges are looked at.
    votes = ballots((PUBLIC, FOR), (COMPANIES, FOR), (COMPANIES, AGAINST), (ASSOCIATIONS, AGAINST))
    result = count(votes, COMMITTEE, Rule(majority=TWO_THIRDS, each_college=True))
    assert result.reason == voting.REASON_TWO_THIRDS


def test_tally_by_college():
    totals, by_college = voting.tally([(PUBLIC, FOR), (PUBLIC, ABSTAIN), (ASSOCIATIONS, AGAINST)])
    assert totals == {FOR: 1, AGAINST: 1, ABSTAIN: 1}
    assert by_college == {PUBLIC: {FOR: 1, AGAINST: 0, ABSTAIN: 1}, COMPANIES: {FOR: 0, AGAINST: 0, ABSTAIN: 0},
                          ASSOCIATIONS: {FOR: 0, AGAINST: 1, ABSTAIN: 0}}


def test_bad_rules_and_choices_are_refused():
    with pytest.raises(ValueError):
        Rule(quorum_percent=120)
    with pytest.raises(ValueError):
        Rule(majority="unanimity")
    with pytest.raises(ValueError):
        voting.tally([(PUBLIC, "maybe")])


def test_a_rule_is_weaker_on_each_part_it_relaxes():
    required = Rule(quorum_percent=60, majority=TWO_THIRDS, each_college=True)
    assert voting.weaker_parts(required, required) == []
    assert voting.weaker_parts(Rule(quorum_percent=80, majority=TWO_THIRDS, each_college=True), required) == []
    assert voting.weaker_parts(Rule(quorum_percent=59, majority=SIMPLE, each_college=False), required) == [
        "quorum_percent", "majority", "each_college"]
    assert voting.weaker_parts(Rule(majority=TWO_THIRDS, each_college=True), Rule()) == []


def test_a_stored_rule_fills_what_it_leaves_out():
    assert voting.rule_from(None) == Rule()
    assert voting.rule_from({"majority": TWO_THIRDS}) == Rule(quorum_percent=50, majority=TWO_THIRDS)


def test_a_vote_rejected_overall_still_names_the_colleges_that_said_no():
    # 2 for, 3 against: the overall majority fails, and the companies and associations withheld theirs too.
    votes = ballots((PUBLIC, FOR), (PUBLIC, FOR), (COMPANIES, AGAINST), (COMPANIES, AGAINST), (ASSOCIATIONS, AGAINST))
    result = count(votes, COMMITTEE, Rule(each_college=True))
    assert (result.decision, result.reason) == (REJECTED, voting.REASON_MAJORITY)
    assert result.failed_colleges == [COMPANIES, ASSOCIATIONS]
    assert count(votes, COMMITTEE, Rule()).failed_colleges == []  # no college rule, no college named
    # Without the quorum nothing is counted, so no college is blamed.
    assert count(votes[:1], COMMITTEE, Rule(each_college=True)).failed_colleges == []
