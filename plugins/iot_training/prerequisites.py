"""What an enrolment needs: a course, and a session of it scheduled.

A session counts once scheduled, even when full or past: prerequisites say the
service is set up, not that a seat is free today (the form says that).
"""
from sqlalchemy import func, select

from coopserv.plugin_api import Prerequisite, _l, db

from .models import Course, TrainingSession


def prerequisites(module):
    courses = db.session.scalar(select(func.count()).select_from(Course).where(Course.active.is_(True)))
    sessions = db.session.scalar(select(func.count()).select_from(TrainingSession))
    return [
        Prerequisite(_l("A course"), bool(courses), "iot_training.manage"),
        Prerequisite(_l("A scheduled session of a course"), bool(sessions), "iot_training.new_session"),
    ]
