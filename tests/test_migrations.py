"""The schema is built by Alembic from empty, on SQLite and on PostgreSQL, can be taken down to nothing and
built again, and matches the models; on PostgreSQL the timeline refuses UPDATE and DELETE whatever the client."""

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.exc import DBAPIError

from casetrack import create_app
from casetrack.extensions import db
from tests.conftest import PG_URL, _pg_url_with_schema

CORE_TABLES = {
    "townships", "villages", "natural_villages", "users", "login_throttle", "dispute_types", "case_counters",
    "disputes", "parties", "dispute_mediators", "mediation_sessions", "investigation_notes", "return_visits",
    "case_events",
}


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    """A brand-new empty database: a new SQLite file, or a new PostgreSQL schema when a server is configured."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite'}"
        return
    if not PG_URL:
        pytest.skip("CASETRACK_TEST_DATABASE_URL is not set: PostgreSQL migrations run in CI")
    schema = f"casetrack_migrate_{uuid.uuid4().hex[:10]}"
    admin = create_engine(_pg_url_with_schema(PG_URL, "public"))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield _pg_url_with_schema(PG_URL, schema)
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def fresh_app(empty_database, tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database, "SECRET_KEY": "test"})
    app.instance_path = str(tmp_path)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def _flask_db(app, *args):
    result = app.test_cli_runner().invoke(args=["db", *args])
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def _heads() -> set[str]:
    config = current_app.extensions["migrate"].migrate.get_config()
    return set(ScriptDirectory.from_config(config).get_heads())


def _current() -> set[str]:
    with db.engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def test_upgrade_from_empty_builds_every_table_at_the_head_revision(fresh_app):
    assert _tables() == set()
    _flask_db(fresh_app, "upgrade")
    assert CORE_TABLES <= _tables()
    assert set(db.metadata.tables) <= _tables()  # every model has its table
    assert _current() == _heads()


def test_downgrade_to_base_leaves_nothing_and_upgrade_builds_it_again(fresh_app):
    _flask_db(fresh_app, "upgrade")
    _flask_db(fresh_app, "downgrade", "base")
    assert _tables() <= {"alembic_version"}
    assert _current() == set()
    _flask_db(fresh_app, "upgrade")
    assert set(db.metadata.tables) <= _tables()
    assert _current() == _heads()


def test_migrated_schema_matches_the_models(fresh_app):
    _flask_db(fresh_app, "upgrade")
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_migrated_schema_takes_a_case_through_the_services(fresh_app):
    from casetrack import clock
    from casetrack.domain import workflow as wf
    from casetrack.models import Role
    from casetrack.services import accounts, disputes, places

    _flask_db(fresh_app, "upgrade")
    township = places.add_township("斜沟乡", ["斜沟村"])
    staff = accounts.add_user("staff", "pass1234word", Role.STAFF, township=township)
    types = places.dispute_types(township.id)
    today = clock.today()
    case = disputes.register_dispute(staff, disputes.DisputeIntake(
        village_id=township.villages[0].id, dispute_type_id=types[0].id, source=wf.Source.APPLICATION,
        registered_on=today, summary="家庭纠纷", parties=[disputes.PartyData(wf.PartySide.APPLICANT, "张三")],
    ), today)
    disputes.not_accept(case, staff, today, "属于法院专属管辖", None, today)
    disputes.archive(case, staff, today, today)
    db.session.commit()
    assert case.number == f"({today.year})斜调字第1号" and case.status == "archived"


def test_case_events_refuse_update_and_delete_in_the_database(fresh_app):
    """PostgreSQL's trigger (0001) and SQLite's two (0009) refuse raw SQL; a downgrade past 0009 lifts SQLite's."""
    _flask_db(fresh_app, "upgrade")
    now = "now()" if db.engine.dialect.name == "postgresql" else "CURRENT_TIMESTAMP"
    with db.engine.begin() as connection:
        event_id = connection.execute(text(
            f"INSERT INTO case_events (at, action, summary, changes) VALUES ({now}, 'note', '登记', '{{}}') RETURNING id"
        )).scalar_one()
    for statement in ("UPDATE case_events SET summary = '篡改' WHERE id = :id", "DELETE FROM case_events WHERE id = :id"):
        with pytest.raises(DBAPIError, match="case_events is append-only"):
            with db.engine.begin() as connection:
                connection.execute(text(statement), {"id": event_id})
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT summary FROM case_events")).scalars().all() == ["登记"]
    if db.engine.dialect.name == "sqlite":
        _flask_db(fresh_app, "downgrade", "0008")
        with db.engine.begin() as connection:
            assert not connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).all()
            connection.execute(text("UPDATE case_events SET summary = '更正' WHERE id = :id"), {"id": event_id})
        _flask_db(fresh_app, "upgrade")
        with db.engine.connect() as connection:
            names = connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                             "AND tbl_name = 'case_events'")).scalars()
            assert sorted(names) == ["case_events_no_delete", "case_events_no_update"]


def test_orm_refuses_to_change_or_delete_a_timeline_entry(fresh_app):
    from casetrack.models import CaseEvent
    from casetrack.models.events import AppendOnlyError

    _flask_db(fresh_app, "upgrade")
    entry = CaseEvent(action="note", summary="登记", changes={})
    db.session.add(entry)
    db.session.commit()
    entry.summary = "篡改"
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(entry)
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    assert db.session.execute(text("SELECT summary FROM case_events")).scalars().all() == ["登记"]


def test_0014_takes_the_level_dates_from_the_timeline_and_fills_missing_acceptance_dates(fresh_app):
    """A database at 0010 whose cases were escalated: the day each level was reached comes from the timeline's
    "escalate" entry (its Beijing date); an accepted case without a 受理日期 takes its 登记日期."""
    from casetrack import clock
    from casetrack.domain import workflow as wf
    from casetrack.models import CaseEvent, Dispute, Role
    from casetrack.services import accounts, disputes, places

    _flask_db(fresh_app, "upgrade")
    township = places.add_township("斜沟乡", ["斜沟村"])
    staff = accounts.add_user("staff", "pass1234word", Role.STAFF, township=township)
    today = clock.today()
    case = disputes.register_dispute(staff, disputes.DisputeIntake(
        village_id=township.villages[0].id, dispute_type_id=places.dispute_types(township.id)[0].id,
        source=wf.Source.APPLICATION, registered_on=today, summary="宅基地纠纷",
        parties=[disputes.PartyData(wf.PartySide.APPLICANT, "张三")]), today)
    disputes.accept(case, staff, today, today)
    disputes.escalate(case, staff, "村调委会调解未果")
    disputes.escalate(case, staff, "乡调委会调解未果")
    db.session.commit()
    case_id = case.id
    entered = [clock.to_beijing(at).date() for at in db.session.execute(
        select(CaseEvent.at).where(CaseEvent.dispute_id == case_id, CaseEvent.action == "escalate")
        .order_by(CaseEvent.id)).scalars()]
    db.session.remove()

    _flask_db(fresh_app, "downgrade", "0010")
    with db.engine.begin() as connection:
        assert "township_level_on" not in {c["name"] for c in inspect(connection).get_columns("disputes")}
        connection.execute(text("UPDATE disputes SET accepted_on = NULL"))
    _flask_db(fresh_app, "upgrade")

    stored = db.session.get(Dispute, case_id)
    assert (stored.township_level_on, stored.county_level_on) == (entered[0], entered[1])
    assert stored.accepted_on == stored.registered_on


def test_0017_makes_old_petitions_received_here_and_drops_the_higher_bodys_limit_from_their_queue(fresh_app):
    """A database at 0014: its petitions become 本级受理, one under 复查 loses its stored current limit (the
    reviewing body's, not the township's), and its dispute supervisions are kept beside new petition ones."""
    from datetime import timedelta

    from casetrack import clock
    from casetrack.domain import workflow as wf
    from casetrack.models import Petition, Role, Supervision, User
    from casetrack.services import accounts, disputes, places, supervision
    from tests.petition_factories import make_petition

    _flask_db(fresh_app, "upgrade")
    township = places.add_township("斜沟乡", ["斜沟村"])
    staff = accounts.add_user("staff", "pass1234word", Role.STAFF, township=township)
    leader = accounts.add_user("leader", "pass1234word", Role.LEADER, township=township)
    today = clock.today()
    case = disputes.register_dispute(staff, disputes.DisputeIntake(
        village_id=township.villages[0].id, dispute_type_id=places.dispute_types(township.id)[0].id,
        source=wf.Source.APPLICATION, registered_on=today, summary="宅基地纠纷",
        parties=[disputes.PartyData(wf.PartySide.APPLICANT, "张三")]), today)
    supervision.supervise(case, leader, "请尽快调处", today, today)
    db.session.commit()
    case_id, leader_id = case.id, leader.id
    petition_id = make_petition(staff, township, state="under_review", received_on=today - timedelta(days=100)).id
    db.session.remove()

    _flask_db(fresh_app, "downgrade", "0014")
    with db.engine.begin() as connection:
        assert "source" not in {c["name"] for c in inspect(connection).get_columns("petitions")}
        connection.execute(text("UPDATE petitions SET due_on = :day"), {"day": today})  # as the old code stored
    _flask_db(fresh_app, "upgrade")

    stored = db.session.get(Petition, petition_id)
    assert (stored.source, stored.due_on, stored.status) == ("own", None, "under_review")
    assert [s.dispute_id for s in db.session.execute(select(Supervision)).scalars()] == [case_id]
    supervision.supervise_petition(stored, db.session.get(User, leader_id), "请跟进复查", today, today)
    db.session.commit()
    assert [s.note for s in stored.supervisions] == ["请跟进复查"]


def test_0030_dates_a_matter_found_disruptive_from_its_timeline_and_leaves_one_so_at_intake_undated(fresh_app):
    """A database at 0029: a matter marked 缠访闹访 at intake stays NULL (so since receipt); one found so by the
    step takes its timeline entry's Beijing day, or its earlier referral to the police."""
    from datetime import timedelta

    from casetrack import clock
    from casetrack.models import CaseEvent, Petition, Role
    from casetrack.services import accounts, places
    from casetrack.services import petitions as petition_services
    from tests.petition_factories import make_petition

    _flask_db(fresh_app, "upgrade")
    township = places.add_township("斜沟乡", ["斜沟村"])
    staff = accounts.add_user("staff", "pass1234word", Role.STAFF, township=township)
    today = clock.today()
    at_intake, found, referred = (make_petition(staff, township, state="in_progress",
                                                received_on=today - timedelta(days=30)) for _ in range(3))
    at_intake.disruptive = True
    petition_services.record_disruptive(found, staff, None, today)
    petition_services.record_disruptive(referred, staff, today - timedelta(days=20), today)
    db.session.commit()
    ids = at_intake.id, found.id, referred.id
    entered = clock.to_beijing(db.session.execute(select(CaseEvent.at).where(
        CaseEvent.petition_id == found.id, CaseEvent.action == "disruptive")).scalar_one()).date()
    db.session.remove()

    _flask_db(fresh_app, "downgrade", "0029")
    with db.engine.begin() as connection:
        assert "disruptive_on" not in {c["name"] for c in inspect(connection).get_columns("petitions")}
    _flask_db(fresh_app, "upgrade")

    assert [db.session.get(Petition, i).disruptive_on for i in ids] == [None, entered, today - timedelta(days=20)]


def test_0016_fills_the_name_search_keys_of_the_parties_and_petitioners_there_are(fresh_app):
    """A database at 0014 with a party named 赵海强: after 0016 the queue finds it by "zhq"."""
    from casetrack import clock
    from casetrack.domain import workflow as wf
    from casetrack.models import Party, Role
    from casetrack.services import accounts, disputes, places

    _flask_db(fresh_app, "upgrade")
    township = places.add_township("斜沟乡", ["斜沟村"])
    staff = accounts.add_user("staff", "pass1234word", Role.STAFF, township=township)
    today = clock.today()
    case = disputes.register_dispute(staff, disputes.DisputeIntake(
        village_id=township.villages[0].id, dispute_type_id=places.dispute_types(township.id)[0].id,
        source=wf.Source.APPLICATION, registered_on=today, summary="宅基地纠纷",
        parties=[disputes.PartyData(wf.PartySide.APPLICANT, "赵海强")]), today)
    db.session.commit()
    party_id = case.parties[0].id
    db.session.remove()

    _flask_db(fresh_app, "downgrade", "0014")
    with db.engine.begin() as connection:
        assert "search_key" not in {c["name"] for c in inspect(connection).get_columns("parties")}
    _flask_db(fresh_app, "upgrade")
    assert db.session.get(Party, party_id).search_key == "zhaohaiqiang zhq"


def test_0018_gives_old_declines_the_ground_other_and_reads_the_old_word_for_a_suit(fresh_app):
    """A database at 0014: a case declined with a free-text reason takes the ground 其他 with its text kept; a failed
    mediation's "诉讼" reads 引导诉讼 in the new list; a referred case's origin stays unknown."""
    from casetrack import clock
    from casetrack.domain import workflow as wf
    from casetrack.models import Dispute, Role
    from casetrack.services import accounts, disputes, places

    _flask_db(fresh_app, "upgrade")
    township = places.add_township("斜沟乡", ["斜沟村"])
    staff = accounts.add_user("staff", "pass1234word", Role.STAFF, township=township)
    today = clock.today()

    def register(source=wf.Source.APPLICATION, origin=None):
        return disputes.register_dispute(staff, disputes.DisputeIntake(
            village_id=township.villages[0].id, dispute_type_id=places.dispute_types(township.id)[0].id,
            source=source, registered_on=today, summary="宅基地纠纷", referral_origin=origin,
            parties=[disputes.PartyData(wf.PartySide.APPLICANT, "张三")]), today)

    declined, failed, referred = register(), register(), register(wf.Source.REFERRAL, wf.ReferralOrigin.POLICE)
    disputes.not_accept(declined, staff, today, "属于法院专属管辖", "县人民法院", today)
    disputes.accept(failed, staff, today, today)
    disputes.assign_mediators(failed, staff, [staff.id])
    disputes.conclude(failed, staff, disputes.Conclusion(wf.Outcome.FAILED, today, channels_told=["诉讼", "仲裁"]),
                      today)
    db.session.commit()
    ids = declined.id, failed.id, referred.id
    db.session.remove()

    _flask_db(fresh_app, "downgrade", "0014")
    with db.engine.begin() as connection:
        assert "referral_origin" not in {c["name"] for c in inspect(connection).get_columns("disputes")}
        assert connection.execute(text("SELECT channels_told FROM disputes WHERE id = :id"),
                                  {"id": ids[1]}).scalar_one() == "诉讼、仲裁"
    _flask_db(fresh_app, "upgrade")

    declined, failed, referred = (db.session.get(Dispute, i) for i in ids)
    assert (declined.not_accepted_ground, declined.not_accepted_reason) == ("other", "属于法院专属管辖")
    assert failed.referrals_out == ["引导诉讼", "仲裁"] and failed.not_accepted_ground is None
    assert referred.source == "referral" and referred.referral_origin is None


def test_0023_merges_an_old_databases_duplicate_rounds_into_the_earliest_and_then_refuses_them(fresh_app):
    """A database at 0018 with three rounds of one village in one week (a later one with a finding that became a
    case) and two township rounds in one half month: after 0023 each unit keeps its earliest round, holding every
    finding, the case's link and a note naming each round merged into it; a new duplicate is refused."""
    from datetime import date

    from sqlalchemy.exc import IntegrityError

    from casetrack import clock
    from casetrack.domain import workflow as wf
    from casetrack.models import Dispute, Role, ScreeningFinding, ScreeningRound
    from casetrack.services import accounts, disputes, places, screening

    _flask_db(fresh_app, "upgrade")
    township = places.add_township("斜沟乡", ["斜沟村", "王家庄村"])
    staff = accounts.add_user("staff", "pass1234word", Role.STAFF, township=township)
    village, other = township.villages
    today = date(2025, 12, 31)
    kept = screening.record_round(staff, township, "village", village.id, date(2025, 3, 4), "王调解", [], today,
                                  notes="入户走访")
    other_round = screening.record_round(staff, township, "village", other.id, date(2025, 3, 5), "赵调解", [], today)
    township_kept = screening.record_round(staff, township, "township", None, date(2025, 3, 3), "刘明", [], today)
    case = disputes.register_dispute(staff, disputes.DisputeIntake(
        village_id=village.id, dispute_type_id=places.dispute_types(township.id)[0].id, source=wf.Source.INITIATIVE,
        registered_on=date(2025, 3, 6), summary="两户争水", parties=[disputes.PartyData(wf.PartySide.APPLICANT, "张三")]),
        clock.today())
    db.session.commit()
    ids = kept.id, other_round.id, township_kept.id
    township_id, village_id, case_id = township.id, village.id, case.id
    db.session.remove()

    _flask_db(fresh_app, "downgrade", "0018")
    with db.engine.begin() as connection:
        def insert(level, unit_village, held_on, start, end, screeners):
            return connection.execute(text(
                "INSERT INTO screening_rounds (township_id, village_id, level, held_on, period_start, period_end, "
                "screeners, focus, created_at) VALUES (:t, :v, :level, :held, :start, :end, :who, '春耕', :now) "
                "RETURNING id"), {"t": township_id, "v": unit_village, "level": level, "held": held_on,
                                  "start": start, "end": end, "who": screeners, "now": today}).scalar_one()

        later = insert("village", village_id, date(2025, 3, 6), date(2025, 3, 3), date(2025, 3, 9), "李调解")
        latest = insert("village", village_id, date(2025, 3, 8), date(2025, 3, 3), date(2025, 3, 9), "张调解")
        township_later = insert("township", None, date(2025, 3, 12), date(2025, 3, 1), date(2025, 3, 15), "孙干部")
        connection.execute(text("INSERT INTO screening_findings (round_id, description, is_dispute, dispute_id) "
                                "VALUES (:r, '两户争水', :yes, :case)"), {"r": later, "yes": True, "case": case_id})
        connection.execute(text("UPDATE disputes SET screening_round_id = :r WHERE id = :case"),
                           {"r": later, "case": case_id})

    _flask_db(fresh_app, "upgrade")
    rounds = db.session.execute(select(ScreeningRound).order_by(ScreeningRound.id)).scalars().all()
    assert [r.id for r in rounds] == list(ids)  # the earliest of each group; a round without a twin untouched
    village_round = rounds[0]
    assert [(f.description, f.dispute_id) for f in village_round.findings] == [("两户争水", case_id)]
    assert db.session.get(Dispute, case_id).screening_round_id == village_round.id
    assert village_round.notes.splitlines() == [
        "入户走访", "[合并] 2025-03-06 排查人员:李调解;重点:春耕", "[合并] 2025-03-08 排查人员:张调解;重点:春耕"]
    assert rounds[2].notes == "[合并] 2025-03-12 排查人员:孙干部;重点:春耕"
    assert rounds[1].notes is None
    assert not {later, latest, township_later} & {r.id for r in rounds}
    assert db.session.execute(select(ScreeningFinding)).scalars().one().round_id == village_round.id

    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            db.session.add(ScreeningRound(township_id=township_id, village_id=village_id, level="village",
                                          held_on=date(2025, 3, 7), period_start=date(2025, 3, 3),
                                          period_end=date(2025, 3, 9), screeners="某人"))
    db.session.rollback()


def test_0024_reads_old_timeline_prose_into_data_and_moves_the_ledger_notes_into_columns(fresh_app):
    """A database at 0018 holding old-style entries: prose of a known shape becomes a kind with parameters and raw
    changes; prose of no known shape stays as stored; 备注 and 调解员(无账号) of the latest ledger entry become the
    case's columns; the timeline still refuses UPDATE afterwards."""
    from casetrack import clock
    from casetrack.domain import workflow as wf
    from casetrack.models import CaseEvent, Dispute, Role
    from casetrack.services import accounts, disputes, places

    _flask_db(fresh_app, "upgrade")
    township = places.add_township("斜沟乡", ["斜沟村"])
    staff = accounts.add_user("staff", "pass1234word", Role.STAFF, township=township)
    today = clock.today()
    case = disputes.register_dispute(staff, disputes.DisputeIntake(
        village_id=township.villages[0].id, dispute_type_id=places.dispute_types(township.id)[0].id,
        source=wf.Source.APPLICATION, registered_on=today, summary="宅基地纠纷",
        parties=[disputes.PartyData(wf.PartySide.APPLICANT, "张三")]), today)
    db.session.commit()
    case_id = case.id
    db.session.remove()

    _flask_db(fresh_app, "downgrade", "0018")
    old = text("INSERT INTO case_events (dispute_id, at, actor_id, action, summary, changes) "
               "VALUES (:case, :at, NULL, :action, :summary, :changes)")
    with db.engine.begin() as connection:
        for action, summary, changes in (
            ("accept", f"受理({today.isoformat()})", '{"状态": ["已登记", "已受理"]}'),
            ("escalate", "上报乡级处理:涉及人数多", '{"处理层级": ["村", "乡"]}'),
            ("supervise", "陈志国督办:尽快化解(期限2026-12-01)", "{}"),
            ("ledger_update", "由台账更新:备注(台账.xlsx,工作表“矛盾纠纷”第3行)",
             '{"备注": ["初次调解", "达成协议"], "调解员(无账号)": [null, "王五"]}'),
        ):
            connection.execute(old, {"case": case_id, "at": clock.now_utc(), "action": action, "summary": summary,
                                     "changes": changes})
    _flask_db(fresh_app, "upgrade")

    entries = db.session.execute(select(CaseEvent).where(CaseEvent.dispute_id == case_id)
                                 .order_by(CaseEvent.id)).scalars().all()
    register, accept, escalate, legacy, ledger = entries
    assert register.params["number"] == db.session.get(Dispute, case_id).number and register.summary is None
    assert (accept.params, accept.changes) == ({"on": today.isoformat()}, {"status": ["registered", "accepted"]})
    assert escalate.params == {"to_level": "township", "reason": "涉及人数多"}
    assert escalate.changes == {"level": ["village", "township"]}
    assert legacy.params is None and legacy.summary == "陈志国督办:尽快化解(期限2026-12-01)"
    assert ledger.params == {"filename": "台账.xlsx", "sheet": "矛盾纠纷", "row": 3}
    assert ledger.changes["remarks"] == ["初次调解", "达成协议"]
    stored = db.session.get(Dispute, case_id)
    assert (stored.remarks, stored.unlinked_mediators) == ("达成协议", "王五")
    db.session.remove()
    with pytest.raises(DBAPIError), db.engine.begin() as connection:
        connection.execute(text("UPDATE case_events SET action = 'x'"))


def _revision_0024():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "migrations" / "versions" / "0024_timeline_as_data.py"
    spec = importlib.util.spec_from_file_location("revision_0024", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _old_sample(name: str):
    from casetrack.domain import timeline as tl

    if name in tl.PARAM_ENUMS:
        return list(tl.PARAM_ENUMS[name])[-1].value
    if name in ("on", "until", "due_on", "late_due", "window_due", "assigned_due_on", "delivered_on",
                "police_referred_on"):
        return "2026-03-01"
    if name in ("count", "days", "persons", "late_days", "row"):
        return 3
    return {"reason_key": "rule", "result": "not_accepted", "screening": "township", "window": "复查申请期限",
            "ground": "already_handled", "names": ["张三", "李四"], "mediators": ["刘明", "王调解"],
            "channels_told": ["引导诉讼", "仲裁"], "attachment_kind": "evidence", "legal_aid": True,
            "repeat": True, "amount_yuan": "12,000.50", "number": "(2026)斜调字第12号", "repeat_of": "(2026)斜信字第3号",
            "referral_origin": "police"}.get(name, f"样例{name}")


def _old_entries():
    from casetrack.domain import timeline as tl

    old_action = {"assign_registrar": "assign", "objection_agreed": "forward"}
    for case, catalogue in (("dispute", tl.DISPUTE_SENTENCES), ("petition", tl.PETITION_SENTENCES)):
        for kind, sentence in catalogue.items():
            texts = [sentence.text, *(t for _n, t in sentence.clauses), *(t for _n, t in sentence.variants)]
            names = {n for text in texts for n in tl._placeholders(text)}
            names |= {n for n, _t in (*sentence.clauses, *sentence.variants)}
            names -= {"repeat"} if "repeat_of" in names else set()
            names -= {"end_reason", "channels_told", "legal_aid"} if kind == "conclude" else set()
            yield pytest.param(case, kind, old_action.get(kind, kind), {n: _old_sample(n) for n in names},
                               id=f"{case}-{kind}")


@pytest.mark.parametrize(("case", "kind", "action", "params"), list(_old_entries()))
def test_0024_reads_the_prose_every_kind_was_written_in_back_into_its_parameters(case, kind, action, params):
    """What the services wrote as prose before 0024 (the same Chinese sentence the data renders to now) is read
    back into the same kind and parameters."""
    from casetrack.domain import timeline as tl
    from casetrack.models.attachments import ATTACHMENT_KINDS

    prose = tl.render_sentence(kind, params, case == "petition", words={"attachment_kind": ATTACHMENT_KINDS})
    assert _revision_0024().parse_summary(case, action, prose) == (kind, params), prose


def test_0024_leaves_prose_of_no_known_shape_and_unknown_labels_as_they_were():
    revision = _revision_0024()
    assert revision.parse_summary("dispute", "supervise", "陈志国督办:尽快化解(期限2026-12-01)") is None
    assert revision.parse_summary("dispute", "accept", "受理") is None
    assert revision.convert_changes("dispute", "edit", {
        "风险等级": ["一般", "重大"], "申请人 张三 · 性别": ["男", "女"], "被申请人 王五": ["王五", "(删除)"],
        "某个旧标签": ["甲", "乙"]}) == {
        "risk_level": ["general", "major"], "party:applicant:gender:张三": ["male", "female"],
        "party:respondent:removed:王五": ["王五", None], "某个旧标签": ["甲", "乙"]}
