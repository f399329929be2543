"""Moderation: every status change of every moderated content type, and the queue reads.

One service per transition, used by Django Admin, the REST admin endpoints and the apps'
own services alike; no other module assigns a moderated status. Each transition locks the
row, writes one ModerationDecision, stamps who and when, and tells the owner of decisions
someone else made (row now, push after commit). Repeating a transition is a no-op that
writes nothing.

    content_submit            new content: pending, or approved at once when trusted
    content_approve           a moderator makes it public
    content_reject            a moderator refuses it, with a reason the owner is told
    content_return_to_review  the owner changed reviewed content: back to pending
    content_hide              enough users reported it: out of public view until reviewed
    content_restore           a moderator dismisses the reports: public again

Edits of approved content's public text (the kind's `reviewed_text_fields`) by an untrusted
owner do not change the item: they wait as a PendingEdit while the approved text stays
public and searchable; the owner and moderators see the pending edit.

    content_edit_submit       the owner proposes new text (merged into the pending edit)
    content_edit_withdraw     the owner set fields back, or wrote them directly
    content_edit_approve      a moderator applies the edit to the item
    content_edit_reject       a moderator discards it, with a reason the owner is told

`moderated_by` / `moderated_at` describe the review the current status rests on: stamped when
content becomes approved or rejected, cleared when it goes (back) to pending. System
transitions (submit, return to review, hide) record no moderator.
"""

from catalog.moderation.edits import (  # noqa: F401
    EditResult,
    content_edit_approve,
    content_edit_reject,
    content_edit_submit,
    content_edit_withdraw,
)
from catalog.moderation.queue import (  # noqa: F401
    QueueEntry,
    decisions_for,
    moderation_queue,
    pending_edit_for,
    pending_edits_by_id,
    pending_edits_queue,
    status_counts,
)
from catalog.moderation.transitions import (  # noqa: F401
    REASON_MAX_LENGTH,
    ModerationResult,
    UnknownContentType,
    content_approve,
    content_approve_many,
    content_decisions_open,
    content_hide,
    content_reject,
    content_reject_many,
    content_restore,
    content_return_to_review,
    content_submit,
    content_type_for,
    decision_log,
    display_title,
    model_for,
    owner_id_of,
)
