"""The permissions each staff group holds. Kept in sync after every migrate (post_migrate), so a
permission added by a later migration reaches its group without another data migration."""

from permits.constants import StaffGroup

# Permit applications (issue 5): the transitions' permissions, see permits.models.
APPLICATION_VIEW = {
    "permits.view_permitapplication",
    "permits.view_applicationtransition",
    "permits.view_material",
    "permits.view_materialrequirement",
    "permits.view_residencepermit",
    "permits.view_permittransition",
    "permits.view_cardserial",
}
OFFICER_DECISIONS = {
    "permits.accept_application",
    "permits.request_supplement",
    "permits.approve_application",
    "permits.reject_application",
}
CLERK_ACTS = {
    "permits.produce_certificate",
    "permits.receive_old_card",
    "permits.mail_certificate",
    "permits.record_delivery",
    "permits.hand_over_certificate",
}

ROLE_PERMISSIONS: dict[str, set[str]] = {
    StaffGroup.OFFICER: {
        "applicants.view_identity",
        "applicants.verify_identity",
        "permits.view_station",
        "permits.view_house",
        "permits.view_residenceregistration",
        "permits.review_registration",
        *APPLICATION_VIEW,
        *OFFICER_DECISIONS,
    },
    StaffGroup.CLERK: {
        "permits.view_station",
        "permits.view_house",
        "permits.view_residenceregistration",
        *APPLICATION_VIEW,
        *CLERK_ACTS,
    },
    # Issue 31 (Art. 9): a community service agency's staff receive applications, check the
    # materials, send the one-time notice and accept, for their agency only; approval,
    # production and the permit stay with the station.
    StaffGroup.AGENCY: {
        *APPLICATION_VIEW,
        "permits.accept_application",
        "permits.request_supplement",
        # only the cards the applicant chose to collect at the agency (StaffPermission)
        "permits.hand_over_certificate",
    },
    StaffGroup.SUPERVISOR: {
        # Audit records (read-only admin; issue 14) and the retention page.
        "review.view_auditevent",
        # SMS delivery records (read-only admin): to answer "I never got the SMS".
        "notifications.view_smsmessage",
        "notifications.view_notification",
        "applicants.view_identity",
        "applicants.verify_identity",
        "applicants.view_user",
        "permits.view_station",
        "permits.change_station",
        "permits.add_station",
        "permits.view_house",
        "permits.add_house",
        "permits.change_house",
        "permits.view_staffassignment",
        # Issue 4: supervisors assign officers and clerks to stations.
        "permits.add_staffassignment",
        "permits.change_staffassignment",
        # Issue 31: the agencies each station entrusts.
        "permits.view_agency",
        "permits.add_agency",
        "permits.change_agency",
        "permits.view_residenceregistration",
        "permits.review_registration",
        *APPLICATION_VIEW,
        *OFFICER_DECISIONS,
        *CLERK_ACTS,
        "permits.extend_deadline",
        "permits.change_materialrequirement",
        "permits.add_materialrequirement",
        # Issue 14: reset a colleague's second factor; unlock logins locked by failures.
        "otp_totp.delete_totpdevice",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        # Issue 17: supervisors enable and revoke station kiosks.
        "kiosk.view_kioskdevice",
        "kiosk.add_kioskdevice",
        "kiosk.change_kioskdevice",
    },
}


def sync_groups(apps=None, **kwargs) -> None:
    from django.apps import apps as global_apps

    apps = apps or global_apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        wanted = []
        for dotted in sorted(perms):
            app_label, codename = dotted.split(".", 1)
            perm = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm is not None:
                wanted.append(perm)
        group.permissions.set(wanted)
