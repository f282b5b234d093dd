"""API schemas of access control. `UserPublic` never carries a password hash or TOTP seed."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UserPublic(BaseModel):
    username: str
    role: str
    full_name: str | None = None
    service: str | None = None
    active: bool
    totp_enabled: bool
    created_at: str
    created_by: str
    disabled_at: str | None = None


class Me(BaseModel):
    user: UserPublic
    csrf_token: str = Field(description="Send it as X-CSRF-Token on POST requests")
    permissions: list[str]


class UserCreate(_In):
    username: str = Field(min_length=2, max_length=64, pattern=r"^[a-z0-9][a-z0-9._-]{1,63}$")
    role: str = Field(description="operator, supervisor, dpo, auditor or admin")
    full_name: str | None = Field(None, max_length=200)
    service: str | None = Field(None, max_length=200)
    password: str | None = Field(
        None, min_length=12, max_length=1024, description="Generated when omitted"
    )


class UserCreated(BaseModel):
    user: UserPublic
    password: str | None = Field(None, description="The generated password, shown once")


class HabilitationCreate(_In):
    username: str = Field(min_length=1, max_length=64)
    rights: list[str] = Field(min_length=1, max_length=3, description="live, replay, export")
    cameras: list[str] = Field(default_factory=list, max_length=10_000)
    zones: list[str] = Field(default_factory=list, max_length=1000, description="kind:name")
    all_cameras: bool = False
    valid_from: date
    valid_until: date
    training_date: date
    refresher_due: date
    territory: str | None = Field(None, max_length=340)
    authorisation: str | None = Field(None, max_length=100)
    note: str | None = Field(None, max_length=2000)


class HabilitationPublic(BaseModel):
    id: int
    username: str
    rights: list[str]
    all_cameras: bool
    camera_ids: list[str]
    zones: list[str]
    territory: str | None = None
    authorisation: str | None = None
    valid_from: str
    valid_until: str
    training_date: str
    refresher_due: str
    granted_by: str
    granted_at: str
    revoked_at: str | None = None
    revoked_by: str | None = None
    note: str | None = None
    state: str


class Revocation(_In):
    reason: str | None = Field(None, max_length=500)


class AuditEntryPublic(BaseModel):
    seq: int
    ts: str
    actor: str
    role: str
    action: str
    outcome: str
    object_type: str | None = None
    object_id: str | None = None
    time_range: str | None = None
    purpose: str | None = None
    legal_basis: str
    requisition_ref: str | None = None
    recipient: str | None = None
    details: dict[str, Any] | None = None
    prev_hash: str
    hash: str


class AuditEntries(BaseModel):
    data: list[AuditEntryPublic]
    count: int
    total: int


class AuditVerification(BaseModel):
    ok: bool
    entries: int
    head_seq: int
    base_seq: int
    first_bad_seq: int | None = None
    problem: str | None = None
