"""A DomainError keeps its Chinese template and parameters, while str() stays the formatted Chinese message."""

import pickle
from datetime import date

import pytest

from casetrack.domain import workflow as wf
from casetrack.domain.deadlines import WindowClosed
from casetrack.domain.errors import DomainError, InvalidTransition
from casetrack.domain.holiday_calendar import UnknownCalendarYear


def test_str_is_the_template_filled_with_its_parameters_in_chinese():
    error = DomainError("当前状态为“%(state)s”,不能指派调解员。", state=wf.DisputeState.REGISTERED.label)
    assert str(error) == "当前状态为“已登记”,不能指派调解员。"
    assert error.args == ("当前状态为“已登记”,不能指派调解员。",)
    assert error.template == "当前状态为“%(state)s”,不能指派调解员。"
    assert error.params == {"state": "已登记"}


def test_a_constant_message_is_its_own_template_and_a_percent_sign_in_it_stays():
    error = DomainError("备份请用 pg_dump > casetrack-$(date +%F).dump")
    assert str(error) == error.template == "备份请用 pg_dump > casetrack-$(date +%F).dump"
    assert error.params == {}


def test_a_list_parameter_is_joined_with_the_chinese_enumeration_comma():
    error = DomainError("请填写%(fields)s。", fields=["责任单位", "责任人员"])
    assert str(error) == "请填写责任单位、责任人员。"


def test_the_workflow_raises_a_template_with_its_labels_as_parameters():
    with pytest.raises(InvalidTransition) as refused:
        wf.next_state(wf.DisputeState.REGISTERED, wf.DisputeAction.ARCHIVE)
    assert str(refused.value) == "当前状态为“已登记”,不能“归档”。"
    assert refused.value.template == "当前状态为“%(state)s”,不能“%(action)s”。"
    assert refused.value.params == {"state": "已登记", "action": "归档"}


@pytest.mark.parametrize("error", [
    DomainError("乡镇“%(name)s”不存在。", name="斜沟乡"),
    InvalidTransition("当前状态为“%(state)s”,调解已结束,不能上报升级。", state="已归档"),
    WindowClosed("已超过申请期限(截至%(date)s)", date(2026, 3, 1), date="2026-03-01"),
    UnknownCalendarYear(2031),
], ids=["plain", "subclass", "extra-argument", "own-init"])
def test_an_error_survives_pickling_with_its_class_template_and_attributes(error):
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert (str(copy), copy.args, copy.template, copy.params) == (str(error), error.args, error.template, error.params)
    assert getattr(copy, "due", None) == getattr(error, "due", None)
    assert getattr(copy, "year", None) == getattr(error, "year", None)
