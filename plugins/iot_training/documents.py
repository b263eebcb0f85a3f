"""The completion certificate as a PDF document (built by a job)."""
from coopserv.plugin_api import document

from . import services


@document("iot_training.certificate")
def completion_certificate(enrolment_id):
    """The certificate of an enrolment that earned one; None otherwise (the download then answers 404)."""
    enrolment = services.get_enrolment(enrolment_id)
    if enrolment is None:
        return None
    threshold = services.module_config(enrolment.request.module)["completion_threshold"]
    attended = services.attendance_counts(enrolment.session_id).get(enrolment.id, 0)
    if not services.certificate_eligible(enrolment, threshold, attended):
        return None
    services.issue_certificate(enrolment)
    context = {"enrolment": enrolment, "session": enrolment.session, "attended": attended,
               "issued": services.today()}
    return "iot_training/certificate_pdf.html", context, f"certificate-{enrolment.session_id}-{enrolment.id}.pdf"
