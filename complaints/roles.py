"""The two staff roles and their permissions, applied by a migration and by seed_demo."""

HANDLERS = "Case handlers"
SUPERVISORS = "Supervisors"

HANDLER_PERMISSIONS = [
    ("complaints", "view_complaint"),
    ("complaints", "add_complaint"),
    ("complaints", "change_complaint"),
    ("complaints", "work_complaint"),
    ("complaints", "view_message"),
    ("complaints", "add_message"),
    ("complaints", "view_attachment"),
    ("complaints", "add_attachment"),
    ("complaints", "view_complaintevent"),
    ("complaints", "view_deadlineextension"),
    ("complaints", "view_clockpause"),
    ("complaints", "view_category"),
    ("complaints", "view_complaintpolicy"),
    ("complaints", "view_policytarget"),
    ("complaints", "view_responsetemplate"),
    # Redress: the ledger of each case they see, and the limits they record within.
    ("complaints", "view_redressentry"),
    ("complaints", "view_approvallimit"),
    ("escalations", "add_escalation"),
    ("notifications", "view_notification"),
]
SUPERVISOR_PERMISSIONS = HANDLER_PERMISSIONS + [
    ("complaints", "view_all_complaints"),
    # The access log: who opened which case, file or export.
    ("complaints", "view_caseaccess"),
    # A regulator's suspension of its deadline over a class of cases (complaints.suspensions).
    ("complaints", "view_regulatorysuspension"),
    ("complaints", "suspend_regulatory_deadline"),
    ("complaints", "add_category"),
    ("complaints", "change_category"),
    ("complaints", "add_complaintpolicy"),
    ("complaints", "change_complaintpolicy"),
    ("complaints", "add_policytarget"),
    ("complaints", "change_policytarget"),
    ("complaints", "delete_policytarget"),
    ("complaints", "add_responsetemplate"),
    ("complaints", "change_responsetemplate"),
    ("complaints", "delete_responsetemplate"),
    # The second pair of eyes on redress above a colleague's limit (complaints.ledger).
    ("complaints", "approve_redressentry"),
    ("escalations", "view_escalation"),
    ("escalations", "change_escalation"),
    ("escalations", "decide_escalation"),
    ("notifications", "change_notification"),
    # inbound email: held and unreadable emails wait for a supervisor's decision.
    ("inbound", "view_inboundemail"),
    ("inbound", "change_inboundemail"),
    # Staff sign-in: lockouts after failed attempts, to read and to lift (django-axes).
    ("axes", "view_accessattempt"),
    ("axes", "delete_accessattempt"),
    ("axes", "view_accessfailurelog"),
]
ROLES = {HANDLERS: HANDLER_PERMISSIONS, SUPERVISORS: SUPERVISOR_PERMISSIONS}


def apply_roles(group_model, permission_model) -> None:
    """Create both groups and give each exactly its permissions."""
    for name, wanted in ROLES.items():
        group, _created = group_model.objects.get_or_create(name=name)
        # An early migration runs this before later models exist; their permissions come with
        # the post_migrate sync (complaints.apps.sync_roles), so only missing ones are skipped.
        permissions = [
            permission
            for app, codename in wanted
            for permission in permission_model.objects.filter(
                content_type__app_label=app, codename=codename
            )
        ]
        group.permissions.set(permissions)
