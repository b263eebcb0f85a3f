"""What an enrolment needs: a course, and a session of it scheduled.

A session counts once scheduled, even when full or past: prerequisites say the
service is set up, not that a seat is free today (the form says that). Each test is
an EXISTS expression: the core evaluates every service's together, in one statement.
"""
from sqlalchemy import exists

from coopserv.plugin_api import Prerequisite, _l

from .models import Course, TrainingSession


def prerequisites(module):
    return [
        Prerequisite(_l("A course"), exists().where(Course.active.is_(True)), "iot_training.manage"),
        Prerequisite(_l("A scheduled session of a course"), exists().where(TrainingSession.id.isnot(None)),
                     "iot_training.new_session"),
    ]
