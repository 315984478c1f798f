"""Notifications: the outbox of messages to people, and each township's channels (group robots, SMS gateway)."""

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casetrack.clock import now_utc
from casetrack.extensions import db
from casetrack.models.users import User

CHANNELS = ("inapp", "wecom", "dingtalk", "sms")
"""in-app (always), 企业微信 group robot, 钉钉 group robot, a generic HTTP webhook in front of an SMS gateway."""


class NotificationChannel(db.Model):
    """A township's webhook for one channel, set by an admin; its URL and secret are never shown back whole."""

    __tablename__ = "notification_channels"
    __table_args__ = (
        UniqueConstraint("township_id", "kind"),
        CheckConstraint("kind IN ('wecom', 'dingtalk', 'sms')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"))
    kind: Mapped[str] = mapped_column(String(16))
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str | None] = mapped_column(String(200))  # 钉钉's 加签 secret (SEC...)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Notification(db.Model):
    """One message to one person on one channel: queued, sent, retried with backoff, or failed for good."""

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint("channel IN ('inapp', 'wecom', 'dingtalk', 'sms')", name="channel_known"),
        CheckConstraint("status IN ('pending', 'sent', 'failed')", name="status_known"),
        # at most one digest per person, channel and day, even when two `remind` runs overlap
        UniqueConstraint("user_id", "channel", "digest_on", name="uq_notifications_digest"),
        Index("ix_notifications_pending", "next_attempt_at", postgresql_where=text("status = 'pending'"),
              sqlite_where=text("status = 'pending'")),
        Index("ix_notifications_user_created", "user_id", "created_at"),
        Index("ix_notifications_township_status", "township_id", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: a test message to a group
    township_id: Mapped[int | None] = mapped_column(ForeignKey("townships.id"))
    channel: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(24))  # digest | supervision | extension_request | send_back | test
    text: Mapped[str] = mapped_column(Text)
    # the locale the text was written in (config LANGUAGES); None: written before it was kept (migration 0029)
    language: Mapped[str | None] = mapped_column(String(16))
    digest_on: Mapped[date | None] = mapped_column(Date)  # the Beijing day of a digest; None for other messages
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User | None] = relationship()

    @property
    def html_lang(self) -> str:
        """The text's language as an HTML lang attribute; Chinese for a message written before it was kept."""
        return "en" if self.language == "en" else "zh-CN"
