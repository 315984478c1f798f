"""The early-warning rules (预警) on hand-made cases with known answers, each at its threshold's edge."""

from datetime import date, timedelta

from casetrack.domain import warnings as w

T = w.Thresholds()
TODAY = date(2026, 12, 7)
ID_A = "620102199001011234"


def case(id, registered_on=TODAY, village_id=1, parties=(("张三", None),), open=True, **facts):
    return w.CaseFacts(id=id, number=f"(2026)斜调字第{id}号", village_id=village_id, registered_on=registered_on,
                       open=open, parties=tuple(w.PartyFacts(n, i) for n, i in parties), **facts)


def petition(id, received_on=TODAY, village_id=1, name="李四", id_number=None, open=True, **facts):
    return w.PetitionFacts(id=id, number=f"(2026)斜信字第{id}号", village_id=village_id, received_on=received_on,
                           open=open, petitioners=(w.PartyFacts(name, id_number),), **facts)


def party_findings(cases):
    return {key: w.repeat_party(key, group, TODAY, T) for key, group in w.group_by_person(cases, "parties").items()}


# --- same party --------------------------------------------------------------------------------------------

def test_two_disputes_of_one_party_raise_nothing_three_raise_yellow():
    two = [case(1, TODAY - timedelta(days=30)), case(2)]
    assert [f for f in party_findings(two).values() if f] == []
    three = [*two, case(3, TODAY - timedelta(days=100))]
    (finding,) = [f for f in party_findings(three).values() if f]
    assert finding.level is w.WarningLevel.YELLOW
    assert finding.dispute_ids == (3, 1, 2)
    assert finding.text == "张三在180天内涉及3起矛盾纠纷。"  # no case numbers: the cases may lie in other villages
    assert finding.numbers == ("(2026)斜调字第3号", "(2026)斜调字第1号", "(2026)斜调字第2号")
    assert finding.people == ("张三",)


def test_a_dispute_older_than_180_days_is_not_counted():
    cases = [case(1, TODAY - timedelta(days=180)), case(2, TODAY - timedelta(days=10)), case(3)]
    assert not any(party_findings(cases).values())
    cases[0] = case(1, TODAY - timedelta(days=179))
    assert any(party_findings(cases).values())


def test_one_dispute_marked_possibly_criminal_makes_it_red():
    cases = [case(1, TODAY - timedelta(days=5)), case(2, police_reported=True), case(3, TODAY - timedelta(days=9))]
    (finding,) = [f for f in party_findings(cases).values() if f]
    assert finding.level is w.WarningLevel.RED
    assert finding.text == "张三在180天内涉及3起矛盾纠纷,其中1起可能转化为治安、刑事案件。"


def test_one_name_in_two_villages_is_two_people():
    cases = [case(1, village_id=1), case(2, village_id=1), case(3, village_id=2)]
    assert not any(party_findings(cases).values())


def test_an_id_number_joins_one_person_across_villages_and_splits_namesakes():
    cases = [case(1, village_id=1, parties=(("王五", ID_A),)), case(2, village_id=2, parties=(("王五", ID_A),)),
             case(3, village_id=3, parties=(("王五", ID_A),)), case(4, village_id=1, parties=(("王五", None),))]
    found = [f for f in party_findings(cases).values() if f]
    assert len(found) == 1 and found[0].dispute_ids == (1, 2, 3)
    assert ID_A not in found[0].subject  # the key never holds the ID number itself


def test_the_party_warning_is_resolved_when_every_case_is_closed():
    cases = [case(1, open=False), case(2, open=False), case(3, open=False)]
    assert not any(party_findings(cases).values())


def test_the_party_threshold_and_window_are_settings():
    t = w.Thresholds.from_settings({"warning_party_disputes": "2", "warning_party_days": 30})
    cases = [case(1, TODAY - timedelta(days=29)), case(2)]
    key = w.person_key("张三", None, 1)
    assert w.repeat_party(key, cases, TODAY, t).text.startswith("张三在30天内涉及2起")


# --- petitioners ---------------------------------------------------------------------------------------------

def petitioner_finding(petitions):
    key = w.person_key("李四", None, 1)
    return w.repeat_petitioner(key, petitions, TODAY, T)


def test_two_petitions_raise_nothing_three_in_twelve_months_raise_yellow():
    assert petitioner_finding([petition(1, date(2026, 3, 1)), petition(2)]) is None
    finding = petitioner_finding([petition(1, date(2025, 12, 8)), petition(2, date(2026, 6, 1)), petition(3)])
    assert finding.level is w.WarningLevel.YELLOW
    assert finding.text.startswith("信访人李四12个月内信访3次")
    assert finding.petition_ids == (1, 2, 3)


def test_a_petition_twelve_months_old_is_not_counted():
    assert petitioner_finding([petition(1, date(2025, 12, 7)), petition(2, date(2026, 6, 1)), petition(3)]) is None


def test_a_repeat_chain_raises_yellow_and_reaching_the_county_red():
    chain = [petition(1, date(2026, 10, 1), in_repeat_chain=True), petition(2, in_repeat_chain=True)]
    assert petitioner_finding(chain).level is w.WarningLevel.YELLOW
    assert "存在重复信访" in petitioner_finding(chain).text
    county = [petition(1, level_rank=1, level_label="县")]
    finding = petitioner_finding(county)
    assert finding.level is w.WarningLevel.RED and "已到县级信访" in finding.text


def test_a_petitioner_whose_petitions_are_all_closed_is_not_warned():
    assert petitioner_finding([petition(i, open=False, in_repeat_chain=True) for i in (1, 2, 3)]) is None


# --- people involved ------------------------------------------------------------------------------------------

def test_four_people_nothing_five_yellow_nineteen_yellow_twenty_red():
    assert w.many_people(case(1, people_involved=4), T) is None
    assert w.many_people(case(1, people_involved=5), T).level is w.WarningLevel.YELLOW
    assert w.many_people(case(1, people_involved=19), T).level is w.WarningLevel.YELLOW
    assert w.many_people(case(1, people_involved=20), T).level is w.WarningLevel.RED


def test_a_group_dispute_is_red_whatever_its_size_and_nothing_once_closed():
    finding = w.many_people(case(1, people_involved=3, group=True), T)
    assert finding.level is w.WarningLevel.RED and finding.text == "(2026)斜调字第1号涉及3人,为群体性纠纷。"
    assert w.many_people(case(1, people_involved=30, open=False), T) is None


# --- village surge ----------------------------------------------------------------------------------------

def month_cases(counts, village_id=1):
    """counts: {first-of-month: n} → that many cases registered on the month's 2nd day."""
    cases, n = [], 0
    for month, count in counts.items():
        for _ in range(count):
            n += 1
            cases.append(case(n, date(month.year, month.month, 2), village_id=village_id))
    return cases


DEC = date(2026, 12, 1)


def test_four_new_disputes_against_an_average_of_two_is_blue_three_is_not():
    before = {date(2026, m, 1): 2 for m in range(6, 12)}  # average 2.0
    finding = w.village_surge(1, "斜沟村", DEC, month_cases({**before, DEC: 4}), TODAY, T)
    assert finding.level is w.WarningLevel.BLUE and finding.subject == "village:1:2026-12"
    assert finding.text == "斜沟村2026年12月新增矛盾纠纷4起,前6个月月均2.0起。"
    assert w.village_surge(1, "斜沟村", DEC, month_cases({**before, DEC: 3}), TODAY, T) is None


def test_doubling_is_needed_as_well_as_the_minimum():
    before = {date(2026, m, 1): 3 for m in range(6, 12)}  # average 3.0: 5 < 6
    assert w.village_surge(1, "斜沟村", DEC, month_cases({**before, DEC: 5}), TODAY, T) is None
    assert w.village_surge(1, "斜沟村", DEC, month_cases({**before, DEC: 6}), TODAY, T) is not None


def test_a_quiet_village_needs_the_minimum_and_months_further_back_do_not_count():
    assert w.village_surge(1, "斜沟村", DEC, month_cases({DEC: 3}), TODAY, T) is None
    old = {date(2026, 5, 1): 50}  # seven months back: outside the average
    assert w.village_surge(1, "斜沟村", DEC, month_cases({**old, DEC: 4}), TODAY, T) is not None


# --- major disputes -----------------------------------------------------------------------------------------

def test_a_major_dispute_with_responsibility_and_in_time_raises_nothing():
    assert w.major_dispute(case(1, major=True, due_on=TODAY), TODAY, T) is None
    assert w.major_dispute(case(1, major=False, has_responsibility=False), TODAY, T) is None


def test_a_major_dispute_without_responsible_people_or_overdue_is_yellow():
    finding = w.major_dispute(case(1, major=True, has_responsibility=False), TODAY, T)
    assert finding.level is w.WarningLevel.YELLOW and "尚未落实责任单位、责任领导、责任人员" in finding.text
    overdue = w.major_dispute(case(1, major=True, due_on=TODAY - timedelta(days=1)), TODAY, T)
    assert overdue.level is w.WarningLevel.YELLOW and "已超过调解期限(2026-12-06)" in overdue.text


def test_overdue_during_or_on_the_eve_of_a_sensitive_period_is_red():
    settings = {"sensitive_periods": [{"name": "元旦", "starts_on": "2026-12-14", "ends_on": "2027-01-03"}]}
    t = w.Thresholds.from_settings(settings)
    overdue = case(1, major=True, due_on=TODAY - timedelta(days=1))
    finding = w.major_dispute(overdue, TODAY, t)  # 7 days before it begins: its eve
    assert finding.level is w.WarningLevel.RED and "正值敏感时期“元旦”" in finding.text
    assert w.major_dispute(overdue, TODAY - timedelta(days=1), t) is None  # not yet overdue the day before
    early = case(1, major=True, due_on=TODAY - timedelta(days=10))
    assert w.major_dispute(early, TODAY - timedelta(days=1), t).level is w.WarningLevel.YELLOW  # 8 days before


# --- prevention flags -----------------------------------------------------------------------------------------

def test_a_prevention_flag_on_an_open_case_is_red_and_nothing_once_concluded():
    finding = w.prevention_flag(case(1, prevented_criminal=True, prevented_group_petition=True))
    assert finding.level is w.WarningLevel.RED
    assert finding.text == "(2026)斜调字第1号标记为防止民转刑、防止群体性上访,尚未调结。"
    assert w.prevention_flag(case(1, prevented_criminal=True, open=False)) is None
    assert w.prevention_flag(case(1)) is None


def test_judging_a_township_finds_every_rule_once():
    facts = w.TownshipFacts(
        cases=[*[case(i) for i in (1, 2, 3)], case(4, village_id=2, parties=(("赵六", None),), people_involved=25)],
        petitions=[petition(10, level_rank=2, level_label="市")], village_names={1: "斜沟村", 2: "王家庄村"})
    found = sorted((f.rule.value, f.level.value) for f in w.judge_township(facts, TODAY, T))
    assert found == [("many_people", "red"), ("repeat_party", "yellow"), ("repeat_petitioner", "red")]


# --- figures ------------------------------------------------------------------------------------------------

def test_the_figures_count_warnings_raised_in_the_period_at_their_level_at_its_end():
    d = date
    raised = [
        w.RaisedWarning(d(2025, 12, 30), None, ((d(2025, 12, 30), "red"),)),  # raised the year before: not counted
        w.RaisedWarning(d(2026, 3, 1), d(2026, 5, 1), ((d(2026, 3, 1), "blue"),)),  # resolved in the year
        w.RaisedWarning(d(2026, 6, 1), None, ((d(2026, 6, 1), "yellow"), (d(2026, 9, 1), "red"))),  # turned red
        w.RaisedWarning(d(2026, 11, 1), d(2027, 1, 5), ((d(2026, 11, 1), "yellow"), (d(2027, 1, 5), "red"))),
    ]
    assert w.tally(raised, d(2026, 1, 1), d(2026, 12, 31)) == {
        "raised": 3, "red": 1, "yellow": 1, "blue": 1, "resolved": 1}
    # as at the end of June: the second was still yellow, and nothing raised after June counts
    assert w.tally(raised, d(2026, 1, 1), d(2026, 6, 30)) == {
        "raised": 2, "red": 0, "yellow": 1, "blue": 1, "resolved": 1}
