"""What an enrolment needs: a course, and a session of it still open for enrolment."""
from sqlalchemy import func, select

from coopserv.plugin_api import Prerequisite, _l, db

from .models import CONFIRMED, OPEN, Course, TrainingSession


def prerequisites(module):
    from .services import today

    courses = db.session.scalar(select(func.count()).select_from(Course).where(Course.active.is_(True)))
    sessions = db.session.scalar(
        select(func.count()).select_from(TrainingSession).join(Course, TrainingSession.course_id == Course.id)
        .where(TrainingSession.status.in_((OPEN, CONFIRMED)), TrainingSession.registration_deadline >= today(),
               TrainingSession.first_day > today(), Course.active.is_(True)))
    return [
        Prerequisite(_l("A course"), bool(courses), "iot_training.manage"),
        Prerequisite(_l("A session open for enrolment"), bool(sessions), "iot_training.new_session"),
    ]
