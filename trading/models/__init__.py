from trading.models.aftercare import (
    BadBehaviourRecord,
    Complaint,
    Contract,
    FollowUp,
    Milestone,
    Referral,
    Suspension,
)
from trading.models.organisations import Certificate, Organisation, ProjectManager, RoleGrant, User
from trading.models.projects import Attachment, Project, Registration
from trading.models.sessions import Attendance, Room, Session

__all__ = [
    "Attachment", "Attendance", "BadBehaviourRecord", "Certificate", "Complaint", "Contract", "FollowUp",
    "Milestone", "Organisation", "Project", "ProjectManager", "Referral", "Registration", "RoleGrant", "Room",
    "Session", "Suspension", "User",
]
