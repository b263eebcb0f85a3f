"""A committee meeting's minutes as a PDF document: agenda, votes and results, attendance, actions, the text."""
from sqlalchemy import select

from coopserv.documents.services import document
from coopserv.extensions import db

from .models import (
    CHOICE_LABELS,
    COLLEGE_LABELS,
    MAJORITY_LABELS,
    REASON_LABELS,
    RESULT_LABELS,
    Meeting,
)


@document("governance.minutes")
def meeting_minutes(meeting_id):
    meeting = db.session.scalar(select(Meeting).filter_by(id=meeting_id))
    if meeting is None:
        return None
    labels = {"colleges": COLLEGE_LABELS, "choices": CHOICE_LABELS, "majorities": MAJORITY_LABELS,
              "results": RESULT_LABELS, "reasons": REASON_LABELS}
    present = sorted((a.user.name for a in meeting.attendances if a.present and a.user is not None))
    excused = sorted((a.user.name for a in meeting.attendances
                      if a.invited_at is not None and not a.present and a.user is not None))
    return ("governance/minutes_pdf.html",
            {"meeting": meeting, "labels": labels, "present": present, "excused": excused},
            f"minutes-{meeting.id}.pdf")
