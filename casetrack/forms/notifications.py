"""A township's notification channels, set by an admin."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import Length, Optional, Regexp

from casetrack.forms.base import CasetrackForm

_URL = [Optional(), Length(max=500, message=_l("最多%(max)d个字", max=500)),
        Regexp(r"^https?://\S+$", message=_l("地址须以 https:// 或 http:// 开头,不含空格"))]


class ChannelsForm(CasetrackForm):
    wecom_url = StringField(_l("企业微信群机器人 Webhook 地址"), validators=_URL, render_kw={"autocomplete": "off"})
    wecom_active = BooleanField(_l("启用企业微信"), default=True)
    dingtalk_url = StringField(_l("钉钉群机器人 Webhook 地址"), validators=_URL, render_kw={"autocomplete": "off"})
    dingtalk_secret = PasswordField(_l("钉钉加签密钥(SEC开头)"), validators=[Optional(), Length(max=200)],
                                    render_kw={"autocomplete": "off"})
    dingtalk_active = BooleanField(_l("启用钉钉"), default=True)
    sms_url = StringField(_l("短信网关 Webhook 地址"), validators=_URL, render_kw={"autocomplete": "off"})
    sms_active = BooleanField(_l("启用短信网关"), default=True)
