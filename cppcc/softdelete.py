"""Soft delete with undo for the records that mattered (issue 12): members, studio activities,
"一镇一事" matters, consultation meetings and proposals.

A record that was used moves to the 回收站 (trash): `deleted_at` / `deleted_by` are set, the
default manager `objects` no longer returns it (so every list, detail page, API, reverse relation
such as `matter.meetings`, statistic and duty-ledger source started from `objects` forgets it),
and `restore()` brings it back as it was. An unused draft is deleted for real: nothing refers to
it, so there is nothing to keep.

    objects      the model's own QuerySet (visible_to …) without deleted rows: the default
    all_objects  every row (the trash page, restore)
    _base_manager plain, so a foreign key from a kept row (an attendance, a proposal's matter)
                 still resolves to a deleted record

Every move here locks the row (select_for_update), so of two clicks only the first wins; saves
with update_fields so simple-history keeps who and when, and the duty ledger's post_save watches
rebuild the members concerned (each app's duty.py treats a soft-deleted source as deleted); and
names the act for the audit row of the request (cppcc.audit.record).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .audit import current_request, record
from .workflow import ConflictError, WorkflowError


class LiveManager(models.Manager):
    """The rows not in the trash. Built per model over its own QuerySet with `live_manager()`."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


def live_manager(queryset_class: type[models.QuerySet]) -> models.Manager:
    return LiveManager.from_queryset(queryset_class)()


class SoftDeleteModel(models.Model):
    deleted_at = models.DateTimeField(
        gettext_lazy("删除时间"), null=True, blank=True, db_index=True, editable=False
    )
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("删除人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        abstract = True

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def get_delete_url(self) -> str:
        """The confirm page of the delete button (templates/includes/delete_button.html)."""
        from django.urls import reverse

        return reverse("trash_delete", args=[kind_of(self).slug, self.pk])


LIVE = Q(deleted_at__isnull=True)


# --- what each model calls an unused draft, and what restoring must not collide with -----------


@dataclass(frozen=True)
class Kind:
    """How the trash speaks of one model: its URL slug, the field it is searched and shown by,
    the list a real delete returns to, and the relations that go with a draft when it is really
    deleted (they cascade and mean nothing without it)."""

    slug: str
    label: str
    model_label: str
    title_field: str
    list_url: str
    cascades: tuple[str, ...] = ()

    @property
    def model(self) -> type[models.Model]:
        from django.apps import apps

        return apps.get_model(self.model_label)


KINDS: dict[str, Kind] = {
    k.slug: k
    for k in (
        # The ledger entries are derived from other records (rebuilt anyway).
        Kind(
            "members",
            gettext_lazy("委员"),
            "members.Member",
            "name",
            "members:list",
            ("duty_entries",),
        ),
        Kind(
            "activities",
            gettext_lazy("工作室活动"),
            "studios.Activity",
            "title",
            "studios:activity_list",
        ),
        Kind(
            "matters",
            gettext_lazy("协商议题"),
            "consultations.Matter",
            "title",
            "consultations:matter_list",
            ("step_dates",),
        ),
        Kind(
            "meetings",
            gettext_lazy("协商会议"),
            "consultations.ConsultationMeeting",
            "topic",
            "consultations:meeting_list",
        ),
        # A draft's invitations and attachments are part of the draft.
        Kind(
            "proposals",
            gettext_lazy("提案"),
            "proposals.Proposal",
            "title",
            "proposals:list",
            ("cosigners", "files"),
        ),
    )
}


def kind_of(obj_or_model) -> Kind:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    label = model._meta.label
    return next(k for k in KINDS.values() if k.model_label == label)


def _is_draft(obj) -> bool:
    """The model's own idea of a draft, before looking at what refers to it."""
    from consultations.models import ConsultationMeeting, Matter, MatterStatus, Step
    from proposals.models import Proposal, ProposalStatus

    if isinstance(obj, Proposal):
        return obj.status == ProposalStatus.DRAFT and obj.serial is None
    if isinstance(obj, Matter):
        return (
            obj.step == Step.PROPOSED
            and obj.status == MatterStatus.ACTIVE
            and not obj.registration_no
            and obj.proposal_id is None
        )
    if isinstance(obj, ConsultationMeeting):
        # A meeting held already is a record even with no attendance entered.
        return obj.date > timezone.localdate()
    # Members and activities: unused is the whole test.
    return True


def _referenced(obj) -> list[str]:
    """The names of the relations that have rows pointing at `obj` (deleted ones included: a
    real delete would break them), apart from those that go with a draft."""
    cascades = set(kind_of(obj).cascades)
    used = []
    for rel in obj._meta.related_objects:
        name = rel.get_accessor_name()
        if name in cascades or not name:
            continue
        rows = rel.related_model._base_manager.filter(**{rel.field.name: obj.pk})
        if rows.exists():
            used.append(str(rel.related_model._meta.verbose_name))
    return used


def is_unused_draft(obj) -> bool:
    """True when deleting `obj` is real: a draft nothing refers to (a proposal still in draft, a
    matter still at 委员提案 with no meetings or units, a meeting not yet held with no attendance,
    files or tasks, an activity with no attendance or files, a member nothing names)."""
    return _is_draft(obj) and not _referenced(obj)


def conflicts(obj) -> list[str]:
    """Why `obj` cannot come back from the trash as it is: a live record now holds what a
    unique rule gives to one (Chinese, naming that record); [] when restoring is safe."""
    from consultations.models import ConsultationMeeting, Matter
    from members.models import Member, MemberStatus

    found = []
    if isinstance(obj, Member) and obj.id_number and obj.status == MemberStatus.ACTIVE:
        other = Member.objects.filter(id_number=obj.id_number, status=MemberStatus.ACTIVE)
        for holder in other.exclude(pk=obj.pk)[:3]:
            found.append(
                _("在任委员“%(name)s”已使用相同身份证号，请先处理后再恢复。") % {"name": holder}
            )
    if isinstance(obj, Matter):
        if obj.is_annual_topic:
            for other in Matter.objects.filter(
                town_id=obj.town_id, year=obj.year, is_annual_topic=True
            ).exclude(pk=obj.pk)[:1]:
                found.append(
                    _("该镇街%(year)d年度已有“一镇一事”议题“%(title)s”，不能恢复。")
                    % {"year": obj.year, "title": other.title}
                )
        if obj.registration_no:
            for other in Matter.objects.filter(
                year=obj.year, registration_no=obj.registration_no
            ).exclude(pk=obj.pk)[:1]:
                found.append(
                    _("立案编号%(no)s已由议题“%(title)s”使用，不能恢复。")
                    % {"no": obj.registration_no, "title": other.title}
                )
    if isinstance(obj, ConsultationMeeting) and obj.matter_id:
        matter = Matter._base_manager.filter(pk=obj.matter_id).first()
        if matter is not None and matter.deleted_at is not None:
            found.append(_("所属议题“%(title)s”已删除，请先恢复议题。") % {"title": matter.title})
    return found


# --- the moves ----------------------------------------------------------------------------------

ALREADY_DELETED = gettext_lazy("该记录已被删除。")
NOT_DELETED = gettext_lazy("该记录不在回收站中，可能已被他人恢复。")


def _lock(obj):
    return type(obj)._base_manager.select_for_update().get(pk=obj.pk)


def _audit(action: str, obj, by) -> None:
    record("write", request=current_request(), user=by, action=action, obj=obj)


def _user(by):
    return by if getattr(by, "is_authenticated", False) else None


def _stamp(locked, *, at, by) -> None:
    """Sets (at=None: clears) the deletion stamp; `by` is who did it, for the history row."""
    locked.deleted_at = at
    locked.deleted_by = _user(by) if at is not None else None
    locked._history_user = _user(by)
    # A save, not an update(): the history row and the duty ledger's watches see it.
    locked.save(update_fields=["deleted_at", "deleted_by"])


def _refresh_ledger(obj) -> None:
    """A member's ledger is not watched on the member's own saves (every edit would rebuild it):
    going to the trash and back rebuilds it here. Other records' duty.py watches see the save."""
    from members.models import Member

    if isinstance(obj, Member):
        from members.duty import refresh

        refresh([obj.pk])


def _deactivate_logins(obj, by) -> None:
    """A member in the trash must not keep signing in to a portal that shows them nothing. The
    login stays off after a restore: the office turns it back on in 账号管理, deliberately."""
    from members.models import Member

    from .accounts import account_deactivate
    from .models import User

    if isinstance(obj, Member):
        for user in User.objects.filter(member_id=obj.pk, is_active=True):
            account_deactivate(user, by=by)


def _copy_back(obj, locked) -> None:
    obj.deleted_at, obj.deleted_by_id = locked.deleted_at, locked.deleted_by_id


def soft_delete(obj, *, by):
    """Moves `obj` to the trash. A matter takes its live meetings with it (same moment, so
    restoring the matter brings back exactly those). Raises ConflictError when someone else
    deleted it first."""
    from consultations.models import ConsultationMeeting, Matter

    with transaction.atomic():
        locked = _lock(obj)
        if locked.deleted_at is not None:
            raise ConflictError(str(ALREADY_DELETED))
        now = timezone.now()
        _stamp(locked, at=now, by=by)
        if isinstance(locked, Matter):
            for meeting in ConsultationMeeting.objects.select_for_update().filter(
                matter_id=locked.pk
            ):
                _stamp(meeting, at=now, by=by)
        _refresh_ledger(locked)
        _deactivate_logins(locked, by)
        _audit("soft_delete", locked, by)
    _copy_back(obj, locked)
    return obj


def restore(obj, *, by):
    """Brings `obj` back from the trash; refused (WorkflowError, naming the conflict) when a live
    record took what a unique rule allows only once, or a meeting's matter is still deleted."""
    from consultations.models import ConsultationMeeting, Matter

    with transaction.atomic():
        locked = _lock(obj)
        if locked.deleted_at is None:
            raise ConflictError(str(NOT_DELETED))
        reasons = conflicts(locked)
        if reasons:
            raise WorkflowError(" ".join(reasons), code="conflict")
        at = locked.deleted_at
        _stamp(locked, at=None, by=by)
        if isinstance(locked, Matter):
            for meeting in ConsultationMeeting._base_manager.select_for_update().filter(
                matter_id=locked.pk, deleted_at=at
            ):
                _stamp(meeting, at=None, by=by)
        _refresh_ledger(locked)
        _audit("restore", locked, by)
    _copy_back(obj, locked)
    return obj


def delete_draft(obj, *, by) -> None:
    """Deletes an unused draft for real (history keeps a deletion row); refused when it is not
    one any more (someone used it since the confirm page was shown)."""
    with transaction.atomic():
        locked = _lock(obj)
        if not is_unused_draft(locked):
            raise ConflictError(_("该记录已被使用，不能直接删除，请刷新后重试。"))
        locked._history_user = _user(by)
        # A copy: delete() clears the instance's pk, and the audit row is written after the
        # response and must still name the record.
        _audit("delete", copy.copy(locked), by)
        locked.delete()


def delete(obj, *, by) -> bool:
    """The one delete button: an unused draft really, anything else to the trash. Returns True
    when the record went to the trash (so the page offers 撤销)."""
    if is_unused_draft(obj):
        delete_draft(obj, by=by)
        return False
    soft_delete(obj, by=by)
    return True


# --- who may ------------------------------------------------------------------------------------


def can_delete(user, obj) -> bool:
    """Who may edit the record may delete and restore it: office staff everywhere, a town clerk
    their own town's activities, meetings and matters; members and proposals are the office's."""
    from consultations.models import ConsultationMeeting, Matter
    from studios.models import Activity
    from studios.selectors import can_edit_town_records

    from .roles import can_edit_county

    if can_edit_county(user):
        return True
    if isinstance(obj, Activity):
        return can_edit_town_records(user, obj.studio.town_id)
    if isinstance(obj, Matter | ConsultationMeeting):
        return can_edit_town_records(user, obj.town_id)
    return False
