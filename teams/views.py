"""Team settings: the team itself, members, invitations and provider accounts."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import UserCreationForm
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from providers import UpstreamError
from teams import disconnecting
from teams.connecting import connect_by_login
from teams.connection import burki_assistants, check_connection
from teams.forms import (
    FollowAssistantsForm,
    InvitationForm,
    ProviderAccountForm,
    RespeecherLoginForm,
    RoleForm,
    TeamForm,
)
from teams.models import Invitation, Membership, Provider, ProviderAccount, Role, Team
from teams.scoping import SESSION_KEY, get_for_team, team_view
from teams.signals import Change, note


@login_required
def team_create(request):
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            team = form.save(commit=False)
            team.slug = Team.unique_slug(team.name)
            team.save()
            Membership.objects.create(team=team, user=request.user, role=Role.OWNER)
        messages.success(request, f"Team “{team.name}” created. Connect a provider to begin.")
        return redirect("providers", team=team.slug)
    return render(request, "teams/team_create.html", {"form": form})


@team_view(write_role=Role.ADMIN)
def team_settings(request, team):
    form = TeamForm(request.POST or None, instance=team)
    if request.method == "POST" and form.is_valid():
        form.save()
        note(team, Change.TEAM_RENAMED, actor=request.user, target=team)
        messages.success(request, "Team renamed.")
        return redirect("team_settings", team=team.slug)
    return render(request, "teams/settings.html", {"form": form})


@team_view(write_role=Role.OWNER, read_role=Role.OWNER)
def team_delete(request, team):
    if request.method == "POST":
        if request.POST.get("confirm_name", "").strip() != team.name:
            messages.error(request, "Type the team's name exactly to delete it.")
            return redirect("team_delete", team=team.slug)
        name = team.name
        not_ended = disconnecting.end_running(team, request.user)
        team.delete()  # stored results and uploads go with their rows (jobs.receivers)
        request.session.pop(SESSION_KEY, None)
        messages.success(request, f"Team “{name}” and everything in it were deleted.")
        for line in not_ended:
            messages.warning(request, f"Not stopped: {line}")
        return redirect("root")
    context = {
        "staying": _staying_at_providers(team),
        "ending": disconnecting.running_on_team(team),
    }
    return render(request, "teams/team_delete.html", context)


def _staying_at_providers(team) -> list[dict]:
    """Per connected provider, what deleting the team leaves there (it is never touched)."""
    started = dict(
        team.jobs.values_list("provider").annotate(n=Count("pk")).values_list("provider", "n")
    )
    return [
        {"provider": a.get_provider_display(), "jobs": started.get(a.provider, 0)}
        for a in ProviderAccount.objects.for_team(team)
    ]


@team_view(write_role=Role.ADMIN)
def members(request, team):
    memberships = Membership.objects.for_team(team).select_related("user")
    invitations = Invitation.objects.for_team(team).pending().select_related("created_by")
    return render(
        request,
        "teams/members.html",
        {
            "memberships": memberships,
            "invitations": invitations,
            "invite_form": InvitationForm(inviter_role=request.membership.role),
            "role_choices": Role.choices,
        },
    )


@team_view(write_role=Role.OWNER)
@require_POST
def member_role(request, team, member_id):
    membership = get_for_team(Membership, team, pk=member_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Pick one of the listed roles.")
    elif membership.is_last_owner and form.cleaned_data["role"] != Role.OWNER:
        messages.error(request, "A team needs an owner: make someone else owner first.")
    else:
        membership.role = form.cleaned_data["role"]
        membership.save(update_fields=["role"])
        note(
            team,
            Change.MEMBER_ROLE_CHANGED,
            actor=request.user,
            label=f"{membership.user} → {membership.get_role_display()}",
        )
        messages.success(request, f"{membership.user} is now {membership.get_role_display()}.")
    return redirect("members", team=team.slug)


@team_view(write_role=Role.ADMIN)
@require_POST
def member_remove(request, team, member_id):
    membership = get_for_team(Membership, team, pk=member_id)
    if membership.is_last_owner:
        messages.error(request, "The last owner cannot be removed.")
    elif membership.role == Role.OWNER and not request.membership.has_role(Role.OWNER):
        messages.error(request, "Only an owner can remove an owner.")
    else:
        membership.delete()
        note(team, Change.MEMBER_REMOVED, actor=request.user, label=str(membership.user))
        messages.success(request, f"{membership.user} was removed from the team.")
        if membership.user_id == request.user.pk:
            return redirect("root")
    return redirect("members", team=team.slug)


@team_view(write_role=Role.ADMIN)
@require_POST
def invitation_create(request, team):
    form = InvitationForm(request.POST, inviter_role=request.membership.role)
    if not form.is_valid():
        messages.error(request, "The invitation was not created: " + form.errors.as_text())
        return redirect("members", team=team.slug)
    invitation, token = Invitation.create(
        team=team,
        role=form.cleaned_data["role"],
        email=form.cleaned_data["email"],
        created_by=request.user,
    )
    note(
        team,
        Change.INVITATION_CREATED,
        actor=request.user,
        label=f"{invitation.email or 'someone'} as {invitation.get_role_display()}",
    )
    link = request.build_absolute_uri(reverse("invitation_accept", kwargs={"token": token}))
    return render(
        request, "teams/invitation_created.html", {"invitation": invitation, "link": link}
    )


@team_view(write_role=Role.ADMIN)
@require_POST
def invitation_revoke(request, team, invitation_id):
    invitation = get_for_team(Invitation, team, pk=invitation_id)
    if Invitation.objects.filter(pk=invitation.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    ):
        note(
            team, Change.INVITATION_REVOKED, actor=request.user, label=invitation.email or "a link"
        )
    messages.success(request, "Invitation revoked; its link no longer works.")
    return redirect("members", team=team.slug)


def invitation_accept(request, token):
    invitation = Invitation.objects.by_token(token).select_related("team").first()
    if invitation is None:
        raise Http404("No such invitation.")
    if invitation.state != "pending":
        return render(request, "teams/invitation_gone.html", {"invitation": invitation}, status=410)
    signup = None
    if request.method == "POST":
        if not request.user.is_authenticated:
            signup = UserCreationForm(request.POST)
            if not signup.is_valid():
                return render(
                    request,
                    "teams/invitation_accept.html",
                    {"invitation": invitation, "signup": signup},
                )
            with transaction.atomic():
                user = signup.save()
                membership = invitation.accept(user)
                if membership is None:
                    transaction.set_rollback(True)
            if membership is None:
                return render(
                    request, "teams/invitation_gone.html", {"invitation": invitation}, 410
                )
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        else:
            membership = invitation.accept(request.user)
            if membership is None:
                return render(
                    request, "teams/invitation_gone.html", {"invitation": invitation}, 410
                )
        note(
            invitation.team,
            Change.MEMBER_JOINED,
            actor=membership.user,
            label=membership.get_role_display(),
        )
        messages.success(request, f"Welcome to {invitation.team}.")
        return redirect("home", team=invitation.team.slug)
    if not request.user.is_authenticated:
        signup = UserCreationForm()
    return render(
        request, "teams/invitation_accept.html", {"invitation": invitation, "signup": signup}
    )


@team_view(write_role=Role.ADMIN)
def providers(request, team):
    accounts = {a.provider: a for a in ProviderAccount.objects.for_team(team)}
    cards = [
        {
            "provider": p,
            "label": label,
            "account": accounts.get(p),
            "by_login": p == Provider.RESPEECHER,  # a key made from an email and password
        }
        for p, label in Provider.choices
    ]
    return render(request, "teams/providers.html", {"cards": cards})


@team_view(write_role=Role.ADMIN, read_role=Role.ADMIN)
def provider_connect(request, team, provider):
    if provider not in Provider.values:
        raise Http404("No such provider.")
    account = ProviderAccount.objects.for_team(team).of(provider)
    instance = account or ProviderAccount(team=team, provider=provider)
    form = ProviderAccountForm(request.POST or None, instance=instance, provider=provider)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        verb = "updated" if account else "connected"
        done = Change.PROVIDER_UPDATED if account else Change.PROVIDER_CONNECTED
        note(team, done, actor=request.user, target=saved)
        messages.success(request, f"{Provider(provider).label} {verb}. Test the connection next.")
        return redirect("providers", team=team.slug)
    return _connect_page(request, Provider(provider), account, form=form)


def _connect_page(request, provider, account, *, form=None, login_form=None):
    """The connect page: the key form, and for Respeecher the email-and-password one."""
    instance = account or ProviderAccount(team=request.team, provider=provider)
    context = {
        "form": form or ProviderAccountForm(instance=instance, provider=provider),
        "provider": provider,
        "account": account,
    }
    if provider == Provider.RESPEECHER:
        context["login_form"] = login_form or RespeecherLoginForm(account=account)
    return render(request, "teams/provider_connect.html", context)


@sensitive_post_parameters("password")
@team_view(write_role=Role.ADMIN, read_role=Role.ADMIN)
def provider_login(request, team):
    """Connect Respeecher with an email and password: Voxboard makes a key and keeps it."""
    provider = Provider(Provider.RESPEECHER)
    account = ProviderAccount.objects.for_team(team).of(provider)
    form = RespeecherLoginForm(request.POST or None, account=account)
    if request.method == "POST" and form.is_valid():
        try:
            saved = connect_by_login(team, account, **form.cleaned_data)
        except UpstreamError as exc:
            form.add_error(None, exc.message)
        else:
            done = Change.PROVIDER_UPDATED if account else Change.PROVIDER_CONNECTED
            note(team, done, actor=request.user, target=saved)
            messages.success(
                request,
                f"{provider.label} connected: Voxboard signed in, made an API key for this "
                "team and signed out again. Your password was not kept.",
            )
            return redirect("providers", team=team.slug)
    return _connect_page(request, provider, account, login_form=form)


@team_view(write_role=Role.ADMIN)
@require_POST
def provider_test(request, team, account_id):
    account = check_connection(get_for_team(ProviderAccount, team, pk=account_id))
    label = account.get_provider_display()
    note(
        team,
        Change.PROVIDER_TESTED,
        actor=request.user,
        target=account,
        outcome="ok" if account.last_check_ok else "failed",
        message=account.last_check_message,
    )
    if account.last_check_ok:
        messages.success(request, f"{label}: {account.last_check_message}")
    else:
        messages.error(request, f"{label}: {account.last_check_message}")
    if request.htmx:
        card = {"provider": account.provider, "label": label, "account": account}
        return render(request, "teams/providers.html#card", {"card": card})
    return redirect("providers", team=team.slug)


@team_view(write_role=Role.ADMIN, read_role=Role.ADMIN)
def provider_assistants(request, team, account_id):
    account = get_for_team(ProviderAccount, team, pk=account_id, provider=Provider.BURKI)
    try:
        choices = burki_assistants(account)
    except UpstreamError as exc:
        messages.error(request, f"Burki did not list its assistants: {exc.message}")
        return redirect("providers", team=team.slug)
    form = FollowAssistantsForm(
        request.POST or None,
        choices=choices,
        initial={"assistants": account.followed_assistants},
    )
    if request.method == "POST" and form.is_valid():
        account.options = {**account.options, "assistants": form.cleaned_data["assistants"]}
        account.save(update_fields=["options", "updated_at"])
        count = len(form.cleaned_data["assistants"])
        messages.success(request, f"Following {count} Burki assistant{'s' if count != 1 else ''}.")
        return redirect("providers", team=team.slug)
    return render(
        request,
        "teams/provider_assistants.html",
        {"form": form, "account": account, "choices": choices},
    )


@team_view(write_role=Role.ADMIN, read_role=Role.ADMIN)
def provider_delete(request, team, account_id):
    account = get_for_team(ProviderAccount, team, pk=account_id)
    running = disconnecting.running_on(account)
    if request.method == "POST":
        if running and not request.POST.get("stop_running"):
            messages.error(request, "Tick the box to confirm the running jobs may be stopped.")
            return redirect("provider_delete", team=team.slug, account_id=account.pk)
        delete_key = bool(request.POST.get("delete_key"))
        outcome = disconnecting.disconnect(account, request.user, delete_key=delete_key)
        messages.success(request, outcome.summary(account.get_provider_display()))
        for line in outcome.left:
            messages.warning(request, f"Not stopped: {line}")
        if outcome.key_left:
            messages.warning(request, outcome.key_left)
        return redirect("providers", team=team.slug)
    return render(request, "teams/provider_delete.html", {"account": account, "running": running})
