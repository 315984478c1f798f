"""The queue's tab counts come from tallies that database triggers keep in the writing transaction (migration
0025): after every kind of write — intake, workflow actions, bulk actions, ledger import, corrections, merges,
督办, petitions, statements around the ORM, deletes — each tab's count equals a direct COUNT of the cases,
for every reach and filter the tallies serve, and the tallies equal a recount of the cases. On PostgreSQL,
writers in parallel threads lose no count."""

import threading
from collections import Counter
from datetime import date, timedelta

import pytest
from flask import current_app
from sqlalchemy import select, text, update

from casetrack import create_app
from casetrack.domain import workflow as wf
from casetrack.extensions import db
from casetrack.models import (
    Dispute,
    Petition,
    QueueDueTally,
    QueueTally,
    QueueTypeTally,
    Supervision,
    User,
    Village,
)
from casetrack.services import corrections, review
from casetrack.services import disputes as dispute_services
from casetrack.services import petitions as petition_services
from casetrack.services import queue as q
from casetrack.services.places import dispute_types
from tests.ledger.helpers import dispute as ledger_dispute
from tests.ledger.helpers import ledger
from tests.ledger.helpers import petition as ledger_petition

from . import browse_as, days, dispute, petition, read_queue, supervise, today


def _expected_tallies() -> tuple[Counter, Counter, Counter]:
    """Count the live cases by the tallies' groups straight from the case tables."""
    supervised = set(db.session.execute(select(Supervision.dispute_id).where(
        Supervision.dispute_id.is_not(None))).scalars())
    main, typed, due = Counter(), Counter(), Counter()
    for d in db.session.execute(select(Dispute).where(Dispute.merged_into_id.is_(None))).scalars():
        group = (d.village_id, d.status, d.risk_level, d.level, int(d.id in supervised), int(d.outcome == "succeeded"),
                 int(d.returned_note is not None), int(d.due_on is not None))
        main[(d.township_id, "dispute", *group)] += 1
        typed[(d.township_id, d.dispute_type_id, "dispute", *group)] += 1
        if d.due_on:
            due[(d.township_id, d.due_on, "dispute", d.village_id, d.dispute_type_id, d.status, d.risk_level,
                 d.level)] += 1
    for p in db.session.execute(select(Petition)).scalars():
        main[(p.township_id, "petition", p.village_id or 0, p.status, "", "", 0, 0, 0, int(p.due_on is not None))] += 1
        if p.due_on:
            due[(p.township_id, p.due_on, "petition", p.village_id or 0, 0, p.status, "", "")] += 1
    return main, typed, due


def _stored_tallies() -> tuple[Counter, Counter, Counter]:
    T, V, U = QueueTally, QueueTypeTally, QueueDueTally
    group = (T.village_id, T.status, T.risk_level, T.level, T.supervised, T.succeeded, T.returned, T.dated)
    main = Counter({tuple(row[:-1]): row[-1] for row in db.session.execute(select(
        T.township_id, T.kind, *group, T.n))})
    group = (V.village_id, V.status, V.risk_level, V.level, V.supervised, V.succeeded, V.returned, V.dated)
    typed = Counter({tuple(row[:-1]): row[-1] for row in db.session.execute(select(
        V.township_id, V.type_id, V.kind, *group, V.n))})
    due = Counter({tuple(row[:-1]): row[-1] for row in db.session.execute(select(
        U.township_id, U.due_on, U.kind, U.village_id, U.type_id, U.status, U.risk_level, U.level, U.n))})
    return main, typed, due


def _filters(world) -> list[q.Filters]:
    neighbour = dispute_types(world.township.id)[0].id
    return [q.Filters(), q.Filters(village_id=world.village.id), q.Filters(kind="petition"),
            q.Filters(kind="dispute", status="registered"), q.Filters(risk="major"), q.Filters(level="township"),
            q.Filters(type_id=neighbour), q.Filters(status="in_progress", village_id=world.village.id)]


def assert_exact(world) -> None:
    """Every tab of every reach and filter equals a direct count; the tallies equal a recount."""
    db.session.expire_all()
    assert _stored_tallies() == _expected_tallies()
    now = today()
    for user in (world.staff, world.leader, world.mediator, world.other_mediator, world.far_staff, world.admin):
        user = db.session.get(User, user.id)
        township = user.township
        for f in _filters(world):
            assert q._tallied(f)
            tallied = q.tab_counts(user, f, now, township)
            counted = q._count_tabs(user, f, now, q._soon(now, township))
            assert tallied == counted, (user.username, f)


@pytest.fixture
def cases(world):
    """Cases of every kind of tab in both townships: pending, mediating, major, due soon, overdue, follow-up,
    returned, merged, petitions in hand."""
    made = {
        "pending": dispute(world.staff, world.village, date(2026, 10, 8)),
        "mediating": dispute(world.staff, world.other_village, days(-20), state="mediating", due=days(2)),
        "overdue": dispute(world.staff, world.village, days(-60), state="accepted", due=days(-3)),
        "major": dispute(world.staff, world.village, days(-5), risk="major", state="accepted"),
        "follow_up": dispute(world.staff, world.other_village, days(-30), state="concluded", level="township"),
        "far": dispute(world.far_staff, world.far_village, date(2026, 10, 8)),
        "petition": petition(world.staff, world.township, days(-13), village=world.village),
        "handling": petition(world.staff, world.township, days(-20), state="in_progress"),
    }
    review.send_back(made["pending"], world.staff, "请补充申请人身份证号")
    db.session.commit()
    return made


def _staff(world) -> User:
    return db.session.get(User, world.staff.id)


def write_intake(world, cases):
    dispute(world.mediator, world.village, days(-1), risk="serious")
    petition(world.staff, world.township, days(-2))


def write_actions(world, cases):
    staff = _staff(world)
    pending = db.session.get(Dispute, cases["pending"].id)
    review.mark_corrected(pending, db.session.get(User, world.mediator.id), "已补充")
    dispute_services.accept(pending, staff, today(), today())
    dispute_services.escalate(pending, staff, "村调委会调解未果,上报处理")
    follow_up = db.session.get(Dispute, cases["follow_up"].id)
    dispute_services.record_return_visit(follow_up, staff, today(), wf.Performance.PERFORMED, today())
    dispute_services.archive(follow_up, staff, today(), today())
    db.session.commit()


def write_bulk(world, cases):
    extra = dispute(world.staff, world.other_village, days(-1))
    client = browse_as(current_app, "staff")
    response = client.post("/queue/bulk", data={"action": "accept", "ids": [cases["pending"].id, extra.id,
                                                                          cases["far"].id], "back": "/queue"})
    assert response.status_code == 200


def write_ledger_import(world, cases, tmp_path):
    path = ledger(tmp_path / "ledger.xlsx",
                  disputes=[ledger_dispute(), ledger_dispute(**{"状态": "调解中", "申请人": "王五"}),
                            ledger_dispute(**{"编号": cases["mediating"].number, "状态": "已调结", "调解结果": "调解成功",
                                              "协议形式": "书面", "结案日期": today().isoformat(),
                                              "所属村": cases["mediating"].village.name})],
                  petitions=[ledger_petition()])
    result = current_app.test_cli_runner().invoke(args=["ledger", "import", str(path)])
    assert result.exit_code == 0, result.output


def write_correction(world, cases):
    case = db.session.get(Dispute, cases["major"].id)
    intake = dispute_services.DisputeIntake(
        village_id=world.other_village.id, dispute_type_id=dispute_types(world.township.id)[3].id,
        source=wf.Source(case.source), registered_on=case.registered_on, summary=case.summary,
        risk_level=wf.RiskLevel.GENERAL)
    corrections.correct_registration(case, _staff(world), intake, None, today())
    db.session.commit()


def write_merge(world, cases):
    duplicate = dispute(world.staff, world.village, date(2026, 10, 9))
    review.merge(db.session.get(Dispute, duplicate.id), db.session.get(Dispute, cases["pending"].id),
                 _staff(world))
    db.session.commit()


def write_supervision(world, cases):
    case = db.session.get(Dispute, cases["mediating"].id)
    supervise(case, db.session.get(User, world.leader.id), days(5))
    supervise(case, db.session.get(User, world.leader.id), days(6))  # a second one changes nothing
    assert_exact(world)
    first = db.session.execute(select(Supervision).where(Supervision.dispute_id == case.id)).scalars().first()
    db.session.execute(text("DELETE FROM supervisions WHERE id = :id"), {"id": first.id})
    db.session.commit()
    assert_exact(world)
    db.session.execute(text("DELETE FROM supervisions WHERE dispute_id = :id"), {"id": case.id})
    db.session.commit()


def write_petitions(world, cases):
    staff = _staff(world)
    first = db.session.get(Petition, cases["petition"].id)
    petition_services.decide(first, staff, "accepted", today(), today())
    db.session.commit()


def write_around_the_orm(world, cases):
    archive = {"status": "archived", "closed_on": today(), "archived_on": today()}
    db.session.execute(update(Dispute.__table__).where(Dispute.__table__.c.id == cases["overdue"].id)
                       .values(archive))
    db.session.execute(text("UPDATE disputes SET due_on = :due WHERE id = :id"),
                       {"due": days(1), "id": cases["mediating"].id})
    db.session.commit()
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE petitions SET village_id = NULL WHERE id = :id"),
                           {"id": cases["petition"].id})


def write_delete(world, cases):
    from tests.ledger.helpers import remove_all_cases

    remove_all_cases()


WRITES = {"intake": write_intake, "actions": write_actions, "bulk actions": write_bulk,
          "ledger import": write_ledger_import, "correction": write_correction, "merge": write_merge,
          "supervision": write_supervision, "petitions": write_petitions, "around the ORM": write_around_the_orm,
          "delete": write_delete}


@pytest.mark.parametrize("kind", WRITES)
def test_each_tab_equals_a_direct_count_after_each_kind_of_write(app, world, cases, kind, tmp_path):
    assert_exact(world)
    write = WRITES[kind]
    write(world, cases, tmp_path) if kind == "ledger import" else write(world, cases)
    assert_exact(world)


def test_the_page_shows_the_counts_of_a_write_at_once(app, world, cases):
    client = browse_as(app, "staff")
    before = read_queue(client).counts
    assert before == {"pending": 2, "mediating": 3, "due_soon": 2, "overdue": 1, "major": 1, "follow_up": 1,
                      "petitions": 1, "returned": 1, "all": 7}
    dispute_services.accept(db.session.get(Dispute, cases["pending"].id), _staff(world), today(), today())
    db.session.commit()
    after = read_queue(client).counts
    assert (after["pending"], after["mediating"], after["all"]) == (1, 4, 7)


def test_uncommitted_changes_count_in_their_own_transaction_and_go_with_its_rollback(app, world, cases):
    client = browse_as(app, "staff")
    assert read_queue(client).counts["pending"] == 2
    db.session.execute(text("UPDATE disputes SET status = 'archived' WHERE id = :id"), {"id": cases["pending"].id})
    assert read_queue(client).counts["pending"] == 1  # the test and its requests share one transaction
    db.session.rollback()
    assert read_queue(client).counts["pending"] == 2


def test_a_write_by_another_worker_shows_in_this_workers_counts(app, world, cases, database_url):
    client = browse_as(app, "staff")
    assert read_queue(client).counts["mediating"] == 3
    other = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test-secret",
                        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with other.app_context():
        accepted = db.session.get(Dispute, cases["pending"].id)
        dispute_services.accept(accepted, accepted.created_by, today(), today())
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    assert read_queue(client).counts["mediating"] == 4


def test_counts_stay_exact_with_writers_in_parallel_on_postgresql(app, world, database_url):
    """Eight threads, each its own connection, register and accept disputes in the same groups at once."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite lets one writer in at a time")
    ids = [dispute(world.staff, world.village, days(-1)).id for _ in range(16)]
    other = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test-secret",
                        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 10}})
    barrier, errors = threading.Barrier(8, timeout=60), []
    staff_id, village_id = world.staff.id, world.village.id

    def writer(index: int) -> None:
        with other.app_context():
            try:
                staff = db.session.get(User, staff_id)
                barrier.wait()
                for case_id in ids[index * 2:index * 2 + 2]:
                    dispute_services.accept(db.session.get(Dispute, case_id), staff, today(), today())
                    dispute(staff, db.session.get(Village, village_id), days(-1))
                    db.session.commit()
            except Exception as failure:  # noqa: BLE001 — reported below
                errors.append(repr(failure))
                barrier.abort()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with other.app_context():
        db.engine.dispose()
    assert errors == []
    assert_exact(world)
    counts = q.tab_counts(db.session.get(User, world.staff.id), q.Filters(), today(), world.township)
    assert (counts["pending"], counts["mediating"], counts["all"]) == (16, 16, 32)


def test_a_due_day_left_with_no_case_is_not_kept(app, world, cases):
    case = db.session.get(Dispute, cases["overdue"].id)
    gone = case.due_on
    db.session.execute(text("UPDATE disputes SET due_on = :due WHERE id = :id"),
                       {"due": gone + timedelta(days=400), "id": case.id})
    db.session.commit()
    assert db.session.execute(select(QueueDueTally).where(QueueDueTally.due_on == gone)).first() is None
    assert db.session.execute(select(QueueTally).where(QueueTally.n == 0)).first() is None
