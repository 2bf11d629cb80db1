"""The approval state machine: submitting posts, deciding steps, sending edited posts back, signed links.

Who may decide a step (one rule, everywhere): the step's person, or a direct member who holds the step's
role, and in both cases only with `production.approve` (checked through `resolve_access(...).has`). When
the workflow demands four eyes, the post's author never decides on it. Agency members count as the step's
person only; roles are matched on direct memberships.

Rule "any": the first approval passes the step. Rule "all": every eligible member must approve; an
external approval through a signed link is recorded but only passes a step whose rule is "any".
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from flokk.content.choices import (
    REOPENED_BY_EDIT,
    ApprovalRoundStatus,
    ApprovalRule,
    ApprovalVerdict,
    PostStatus,
)
from flokk.content.models import (
    ApprovalComment,
    ApprovalDecision,
    ApprovalRound,
    ApprovalStep,
    ApprovalWorkflow,
    Campaign,
    Post,
)
from flokk.core.audit import record
from flokk.core.errors import Conflict
from flokk.core.notifications import notify
from flokk.teams.models import Membership, Organization, Role, User
from flokk.teams.permissions import resolve_access

LINK_SALT = "flokk.content.approval-link"
LINK_MAX_AGE = 14 * 24 * 3600
SUBMITTABLE = frozenset({PostStatus.DRAFT, PostStatus.CHANGES_REQUESTED})


class ApprovalConflict(Conflict):
    """The post is not in a state that allows this transition (the API answers 409)."""


class ApprovalLinkInvalid(Exception):
    """A signed link that was tampered with, or points at nothing (404)."""


class ApprovalLinkExpired(Exception):
    """A signed link past its age, or already used, or for a step that is no longer open (410)."""


@dataclass(frozen=True)
class ApprovalLink:
    """What a valid signed link grants: one decision on one step of one round, for one named recipient."""

    round: ApprovalRound
    step: int
    recipient: str
    link_id: str


# --- workflows ---------------------------------------------------------------------------------------
def workflow_for(post: Post) -> ApprovalWorkflow | None:
    """The campaign's workflow when it has steps, else the organization's default."""
    if post.campaign_id is not None:
        found = ApprovalWorkflow.objects.filter(campaign_id=post.campaign_id, steps__isnull=False).first()
        if found is not None:
            return found
    return ApprovalWorkflow.objects.for_org(post.organization).filter(campaign__isnull=True).first()


def _snapshot(workflow: ApprovalWorkflow) -> list[dict[str, Any]]:
    return [
        {
            "name": step.name,
            "role_id": str(step.role_id) if step.role_id else None,
            "user_id": str(step.user_id) if step.user_id else None,
            "rule": step.rule,
        }
        for step in workflow.steps.order_by("position")
    ]


def set_default_workflow(
    organization: Organization,
    steps: list[tuple[str, Role | None, User | None, str]],
    *,
    four_eyes: bool,
    actor: User | None,
) -> ApprovalWorkflow:
    """Replace the organization's default workflow with these (name, role, person, rule) steps."""
    with transaction.atomic():
        workflow, _created = ApprovalWorkflow.objects.get_or_create(organization=organization, campaign=None)
        workflow.four_eyes = four_eyes
        workflow.save(update_fields=["four_eyes", "updated_at"])
        workflow.steps.all().delete()
        for position, (name, role, user, rule) in enumerate(steps):
            if role is None and user is None:
                raise ValidationError(_("Each step needs a role or a person."), code="no_approver")
            ApprovalStep.objects.create(
                workflow=workflow, position=position, name=name, role=role, user=user, rule=rule
            )
        record(
            "content.workflow.updated",
            organization=organization,
            actor=actor,
            target=workflow,
            data={"steps": len(steps), "four_eyes": four_eyes},
        )
    return workflow


def workflow_to_edit(organization: Organization, campaign: Campaign | None) -> ApprovalWorkflow:
    """The organization's default workflow, or the campaign's own (created empty on first use)."""
    workflow, _created = ApprovalWorkflow.objects.get_or_create(organization=organization, campaign=campaign)
    return workflow


def add_step(
    workflow: ApprovalWorkflow, *, name: str, role: Role | None, user: User | None, rule: str, actor: User
) -> ApprovalStep:
    """Append a step; it needs a name and a role or a person of the organization."""
    name = name.strip()
    if not name:
        raise ValidationError(_("Name the step."), code="name_required")
    if role is None and user is None:
        raise ValidationError(_("Each step needs a role or a person."), code="no_approver")
    if rule not in ApprovalRule.values:
        raise ValidationError(_("Choose any or all."), code="invalid_rule")
    with transaction.atomic():
        last = workflow.steps.order_by("-position").values_list("position", flat=True).first()
        step = ApprovalStep.objects.create(
            workflow=workflow,
            position=0 if last is None else last + 1,
            name=name[:100],
            role=role,
            user=user,
            rule=rule,
        )
        record(
            "content.workflow.step_added",
            organization=workflow.organization,
            actor=actor,
            target=workflow,
            data={"step": step.name, "rule": rule},
        )
    return step


def remove_step(step: ApprovalStep, *, actor: User) -> None:
    """Delete a step; rounds already running keep their snapshot."""
    with transaction.atomic():
        workflow = step.workflow
        name = step.name
        step.delete()
        for position, remaining in enumerate(workflow.steps.order_by("position")):
            if remaining.position != position:
                remaining.position = position
                remaining.save(update_fields=["position", "updated_at"])
        record(
            "content.workflow.step_removed",
            organization=workflow.organization,
            actor=actor,
            target=workflow,
            data={"step": name},
        )


def move_step(step: ApprovalStep, *, up: bool, actor: User) -> None:
    """Swap a step with its neighbour above (up) or below."""
    with transaction.atomic():
        steps = list(step.workflow.steps.order_by("position"))
        index = next(i for i, s in enumerate(steps) if s.pk == step.pk)
        other = index - 1 if up else index + 1
        if not 0 <= other < len(steps):
            return
        steps[index], steps[other] = steps[other], steps[index]
        for position, each in enumerate(steps):
            each.position = position
            each.save(update_fields=["position", "updated_at"])
        record(
            "content.workflow.step_moved",
            organization=step.workflow.organization,
            actor=actor,
            target=step.workflow,
            data={"step": step.name, "to": other},
        )


def set_four_eyes(workflow: ApprovalWorkflow, *, four_eyes: bool, actor: User) -> None:
    """Turn four eyes on or off: with it, authors never approve their own posts."""
    with transaction.atomic():
        workflow.four_eyes = four_eyes
        workflow.save(update_fields=["four_eyes", "updated_at"])
        record(
            "content.workflow.updated",
            organization=workflow.organization,
            actor=actor,
            target=workflow,
            data={"four_eyes": four_eyes},
        )


# --- who decides -------------------------------------------------------------------------------------
def open_round(post: Post) -> ApprovalRound | None:
    return post.approval_rounds.filter(status=ApprovalRoundStatus.OPEN).first()


def may_decide(user: User, round_: ApprovalRound) -> bool:
    """Whether the user may decide the round's current step (the rule in the module docstring)."""
    post = round_.post
    if round_.four_eyes and post.created_by_id == user.pk:
        return False
    access = resolve_access(user, post.organization)
    if access is None or not access.has("production.approve"):
        return False
    step = round_.steps[round_.current_step]
    if step["user_id"] and step["user_id"] == str(user.pk):
        return True
    if step["role_id"] and access.membership is not None:
        return any(str(role.pk) == step["role_id"] for role in access.membership.roles.all())
    return False


def eligible_approvers(round_: ApprovalRound) -> list[User]:
    """Everyone who may decide the current step: whom to notify, and whom "all" waits for."""
    step = round_.steps[round_.current_step]
    candidates: dict[Any, User] = {}
    if step["user_id"]:
        person = User.objects.filter(pk=step["user_id"]).first()
        if person is not None:
            candidates[person.pk] = person
    if step["role_id"]:
        memberships = (
            Membership.objects.active()
            .filter(organization=round_.post.organization, roles__pk=step["role_id"])
            .select_related("user")
        )
        for membership in memberships:
            candidates[membership.user.pk] = membership.user
    return [user for user in candidates.values() if may_decide(user, round_)]


# --- transitions -------------------------------------------------------------------------------------
def _locked(post: Post) -> Post:
    return Post.objects.select_for_update().get(pk=post.pk)


def _finish(post: Post, round_: ApprovalRound, actor: User | None) -> None:
    round_.status = ApprovalRoundStatus.APPROVED
    round_.save(update_fields=["status", "updated_at"])
    # A time that passed while the post waited for approval is not used: publishing hours late, unasked,
    # can do harm ("good morning" at midnight). The post waits as approved for a new time or "publish now".
    missed = post.scheduled_at is not None and post.scheduled_at <= timezone.now()
    post.status = PostStatus.SCHEDULED if post.scheduled_at and not missed else PostStatus.APPROVED
    post.save(update_fields=["status", "updated_at"])
    record(
        "content.post.approved",
        organization=post.organization,
        actor=actor,
        target=post,
        data={"status": post.status},
    )
    notify(
        [post.created_by] if post.created_by else [],
        organization=post.organization,
        action="content.post.approved",
        url=post.get_absolute_url(),
        message=(
            (lambda: _("Your post was approved, but its time has passed: choose a new time."))
            if missed
            else (lambda: _("Your post was approved."))
        ),
    )


def _open_step(post: Post, round_: ApprovalRound) -> None:
    step = round_.steps[round_.current_step]
    record(
        "content.approval.step_opened",
        organization=post.organization,
        actor=None,
        target=post,
        data={"step": round_.current_step, "name": step["name"]},
    )
    name = step["name"]
    notify(
        eligible_approvers(round_),
        organization=post.organization,
        action="content.approval.step_opened",
        url=post.get_absolute_url(),
        message=lambda: _("A post waits for your approval: %(step)s") % {"step": name},
    )


def submit_for_approval(post: Post, *, actor: User) -> ApprovalRound | None:
    """Start a new approval round for a draft (or a post sent back for changes).

    Check errors block the submission (ValidationError); warnings never do. Without a workflow, or with
    one that has no steps, the post passes at once. Returns the new round, or None when nothing waits.
    """
    from flokk.content.services.posts import post_checks  # posts imports this module for the edit hook

    errors = [c for checks in post_checks(post).values() for c in checks if c.level == "error"]
    if errors:
        raise ValidationError(
            _("Fix the errors of the quality check before submitting: %(reasons)s")
            % {"reasons": "; ".join(c.message for c in errors)},
            code="check_errors",
        )
    with transaction.atomic():
        post = _locked(post)
        if post.status not in SUBMITTABLE:
            raise ApprovalConflict(
                _("A post that is %(status)s cannot be submitted.") % {"status": post.get_status_display()}
            )
        workflow = workflow_for(post)
        steps = _snapshot(workflow) if workflow is not None else []
        record("content.post.submitted", organization=post.organization, actor=actor, target=post)
        if not steps:
            _finish(
                post, ApprovalRound.objects.create(post=post, workflow=workflow, submitted_by=actor), actor
            )
            return None
        round_ = ApprovalRound.objects.create(
            post=post,
            workflow=workflow,
            steps=steps,
            four_eyes=bool(workflow and workflow.four_eyes),
            submitted_by=actor,
        )
        post.status = PostStatus.IN_REVIEW
        post.save(update_fields=["status", "updated_at"])
        _open_step(post, round_)
    return round_


def _current(post: Post) -> ApprovalRound:
    round_ = open_round(post)
    if round_ is None or post.status != PostStatus.IN_REVIEW:
        raise ApprovalConflict(_("This post is not waiting for approval."))
    return round_


def _decide(
    post: Post,
    verdict: str,
    *,
    actor: User | None,
    external: str = "",
    comment: str = "",
    link: ApprovalLink | None = None,
) -> ApprovalRound:
    if verdict != ApprovalVerdict.APPROVE and not comment.strip():
        raise ValidationError(_("Say what needs to change, or why."), code="comment_required")
    with transaction.atomic():
        post = _locked(post)
        round_ = _current(post)
        if link is not None:
            if link.round.pk != round_.pk or link.step != round_.current_step:
                raise ApprovalLinkExpired()
        elif actor is None or not may_decide(actor, round_):
            raise PermissionDenied("approval")
        step = round_.current_step
        try:
            with transaction.atomic():
                ApprovalDecision.objects.create(
                    round=round_,
                    step=step,
                    approver=actor,
                    external_label=external,
                    link_id=link.link_id if link else "",
                    verdict=verdict,
                    comment=comment.strip(),
                )
        except IntegrityError:
            raise ApprovalLinkExpired() from None
        if comment.strip():
            ApprovalComment.objects.create(
                post=post, author=actor, external_label=external, text=comment.strip()
            )
        data = {"step": step, "external": external} if external else {"step": step}
        author = [post.created_by] if post.created_by else []
        if verdict == ApprovalVerdict.REQUEST_CHANGES:
            round_.status = ApprovalRoundStatus.CHANGES_REQUESTED
            post.status = PostStatus.CHANGES_REQUESTED
            record(
                "content.post.changes_requested",
                organization=post.organization,
                actor=actor,
                target=post,
                data=data,
            )
            notify(
                author,
                organization=post.organization,
                action="content.post.changes_requested",
                url=post.get_absolute_url(),
                message=lambda: _("Changes were requested on your post."),
            )
        elif verdict == ApprovalVerdict.REJECT:
            round_.status = ApprovalRoundStatus.REJECTED
            post.status = PostStatus.REJECTED
            record(
                "content.post.rejected", organization=post.organization, actor=actor, target=post, data=data
            )
            notify(
                author,
                organization=post.organization,
                action="content.post.rejected",
                url=post.get_absolute_url(),
                message=lambda: _("Your post was rejected."),
            )
        else:
            record(
                "content.approval.step_approved",
                organization=post.organization,
                actor=actor,
                target=post,
                data=data,
            )
            if _step_passed(round_, external=bool(external)):
                if round_.current_step + 1 >= len(round_.steps):
                    _finish(post, round_, actor)
                    return round_
                round_.current_step += 1
                round_.save(update_fields=["current_step", "updated_at"])
                _open_step(post, round_)
            return round_
        round_.save(update_fields=["status", "updated_at"])
        post.save(update_fields=["status", "updated_at"])
    return round_


def _step_passed(round_: ApprovalRound, *, external: bool) -> bool:
    step = round_.steps[round_.current_step]
    if step["rule"] == ApprovalRule.ANY:
        return True
    if external:
        return False
    approved = set(
        round_.decisions.filter(
            step=round_.current_step, verdict=ApprovalVerdict.APPROVE, approver__isnull=False
        ).values_list("approver_id", flat=True)
    )
    return all(user.pk in approved for user in eligible_approvers(round_))


def approve_step(
    post: Post,
    *,
    actor: User | None = None,
    external: str = "",
    link: ApprovalLink | None = None,
    comment: str = "",
) -> ApprovalRound:
    """Approve the current step as a member (`actor`) or as a named external approver through a `link`.

    Raises PermissionDenied for someone who may not decide, ApprovalConflict when the post is not in review,
    ApprovalLinkExpired for a link already used or for a step that has moved on.
    """
    return _decide(post, ApprovalVerdict.APPROVE, actor=actor, external=external, comment=comment, link=link)


def request_changes(
    post: Post,
    *,
    comment: str,
    actor: User | None = None,
    external: str = "",
    link: ApprovalLink | None = None,
) -> ApprovalRound:
    """Send the post back to its author with a comment (required); the next submission opens a new round."""
    return _decide(
        post, ApprovalVerdict.REQUEST_CHANGES, actor=actor, external=external, comment=comment, link=link
    )


def reject(post: Post, *, comment: str, actor: User) -> ApprovalRound:
    """Reject the post for good, with a reason (required). Only members may reject."""
    return _decide(post, ApprovalVerdict.REJECT, actor=actor, comment=comment)


def reopen_after_edit(post: Post, *, actor: User) -> None:
    """Called by `update_post`: an edit of a post in review, approved or scheduled sends it back to draft.

    The open round is withdrawn; approvals given so far no longer count, so the post needs a new round.
    """
    if post.status not in REOPENED_BY_EDIT:
        return
    previous = post.status
    post.approval_rounds.filter(status=ApprovalRoundStatus.OPEN).update(status=ApprovalRoundStatus.WITHDRAWN)
    post.status = PostStatus.DRAFT
    post.save(update_fields=["status", "updated_at"])
    record(
        "content.post.sent_back",
        organization=post.organization,
        actor=actor,
        target=post,
        data={"from": previous},
    )


# --- signed links ------------------------------------------------------------------------------------
def create_approval_link(post: Post, *, recipient: str, actor: User) -> str:
    """A signed token letting `recipient` decide the current step once, for 14 days, without an account.

    Only members with `production.approve` hand out links; the token is shown once and never stored.
    """
    recipient = recipient.strip()
    if not recipient:
        raise ValidationError(_("Name the person the link is for."), code="recipient_required")
    access = resolve_access(actor, post.organization)
    if access is None or not access.has("production.approve"):
        raise PermissionDenied("production.approve")
    with transaction.atomic():
        post = _locked(post)
        round_ = _current(post)
        link_id = uuid.uuid4().hex
        token = signing.TimestampSigner(salt=LINK_SALT).sign_object(
            {
                "round": str(round_.pk),
                "step": round_.current_step,
                "recipient": recipient[:200],
                "link": link_id,
            }
        )
        record(
            "content.approval.link_created",
            organization=post.organization,
            actor=actor,
            target=post,
            data={"recipient": recipient[:200], "step": round_.current_step},
        )
    return token


def resolve_approval_link(token: str) -> ApprovalLink:
    """The grant of a signed token; ApprovalLinkInvalid if tampered, ApprovalLinkExpired if old or used."""
    try:
        data = signing.TimestampSigner(salt=LINK_SALT).unsign_object(token, max_age=LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise ApprovalLinkExpired() from None
    except (signing.BadSignature, ValueError):
        raise ApprovalLinkInvalid() from None
    try:
        round_ = ApprovalRound.objects.select_related("post__organization").get(pk=data["round"])
        link = ApprovalLink(round_, int(data["step"]), str(data["recipient"]), str(data["link"]))
    except (KeyError, TypeError, ValueError, ValidationError, ApprovalRound.DoesNotExist):
        raise ApprovalLinkInvalid() from None
    used = ApprovalDecision.objects.filter(round=round_, step=link.step, link_id=link.link_id).exists()
    if used or round_.status != ApprovalRoundStatus.OPEN or round_.current_step != link.step:
        raise ApprovalLinkExpired()
    return link
