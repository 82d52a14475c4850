from trading.models.aftercare import (
    BadBehaviourRecord,
    Complaint,
    Contract,
    FollowUp,
    Milestone,
    Referral,
    Suspension,
)
from trading.models.clarifications import Amendment, Question
from trading.models.notices import Appeal, NoticeKind, NoticeText
from trading.models.notifications import Notification
from trading.models.organisations import Certificate, Organisation, ProjectManager, RoleGrant, User
from trading.models.projects import Attachment, Project, Registration
from trading.models.sessions import Attendance, Room, Session
from trading.models.signing_keys import SigningKey

__all__ = [
    "Amendment", "Appeal", "Attachment", "Attendance", "BadBehaviourRecord", "Certificate", "Complaint", "Contract", "FollowUp",
    "Milestone", "NoticeKind", "NoticeText", "Notification", "Organisation", "Project", "ProjectManager", "Question", "Referral", "Registration", "RoleGrant", "Room",
    "Session", "SigningKey", "Suspension", "User",
]
