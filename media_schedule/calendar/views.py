"""The calendar page, its JSON feed, drag-to-reschedule, the planner and "plan on this day".
Thin: they parse, check permissions and call ``selectors``, ``planning`` and the services."""

import datetime
import json
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from publicity import key_dates
from publicity.campaign_targets import Medium
from publicity.campaigns import campaign_create
from publicity.models import Campaign, KeyDate, long_date

from ..forms import ROWS
from ..models import Outlet, Placement
from ..services import TransitionError, placement_reschedule
from ..views import placements_breadcrumbs
from . import selectors
from .forms import PlanItemForm, PlannedCampaignForm
from .planning import STATE_LABELS, campaign_for, campaign_plan, upcoming_key_dates

# The calendar's views, the first one shown unless ?view= names another.
VIEWS = ("dayGridMonth", "timeGridWeek", "listMonth", "listWeek")
# A drop more than this far in the past is refused: it would go out at once.
PAST_TOLERANCE = datetime.timedelta(hours=1)


def may_see_calendar(user) -> bool:
    """Whoever reads or makes the schedule sees the calendar."""
    return any(
        user.has_perm(f"media_schedule.{action}_placement") for action in ("view", "add", "change")
    )


def may_plan(user) -> bool:
    """Planning makes placements and reads campaigns."""
    return user.has_perm("media_schedule.add_placement") and user.has_perm(
        "publicity.view_campaign"
    )


class CalendarView(WagtailAdminTemplateMixin, TemplateView):
    """Month, week and list views of everything planned (FullCalendar, fed by ``FeedView``)."""

    template_name = "media_schedule/calendar/calendar.html"
    page_title = gettext_lazy("排期日历")
    header_icon = "calendar-alt"

    def dispatch(self, request, *args, **kwargs):
        if not may_see_calendar(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*placements_breadcrumbs(), {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        user = self.request.user
        today = timezone.localdate()
        config = {
            "feedUrl": reverse("schedule_calendar:feed"),
            "moveUrl": reverse("schedule_calendar:move", args=[0]),
            "planUrl": reverse("schedule_calendar:plan_item")
            if user.has_perm("media_schedule.add_placement")
            else "",
            "canMove": user.has_perm("media_schedule.change_placement"),
            "initialDate": _date(self.request.GET.get("date", ""), today).isoformat(),
            "initialView": view if (view := self.request.GET.get("view")) in VIEWS else VIEWS[0],
        }
        return super().get_context_data(
            calendar_config=config,
            outlets=selectors.outlet_choices(),
            media=Medium.choices,
            campaigns=selectors.campaign_choices(around=today),
            statuses=Placement.Status.choices,
            legend=[(label, selectors.MEDIUM_COLOURS[value]) for value, label in Medium.choices],
            **kwargs,
        )


class FeedView(View):
    """JSON events for one range (``start``/``end``) and the filters; 400 with a reason."""

    def get(self, request):
        if not may_see_calendar(request.user):
            raise PermissionDenied
        try:
            start, end = selectors.parse_range(request.GET.get("start"), request.GET.get("end"))
            filters = selectors.parse_filters(request.GET)
        except selectors.FeedError as error:
            return JsonResponse({"error": str(error)}, status=400)
        events = selectors.calendar_feed(
            start=start,
            end=end,
            filters=filters,
            can_move=request.user.has_perm("media_schedule.change_placement"),
        )
        return JsonResponse(events, safe=False)


class MoveView(View):
    """Drag to reschedule: the edit form's guarded transition, refused with its reason."""

    def post(self, request, pk: int):
        if not request.user.has_perm("media_schedule.change_placement"):
            raise PermissionDenied
        placement = get_object_or_404(Placement, pk=pk)
        try:
            payload = json.loads(request.body or b"{}")
            due_at = selectors.parse_moment(str(payload["due_at"]))
        except (ValueError, KeyError, TypeError, selectors.FeedError):
            return JsonResponse({"error": _("请给出新的计划时间。")}, status=400)
        if due_at < timezone.now() - PAST_TOLERANCE:
            return JsonResponse({"error": _("不能移到已经过去的时间。")}, status=409)
        try:
            placement_reschedule(
                placement=placement, due_at=due_at, campaign=placement.campaign, user=request.user
            )
        except TransitionError as error:
            return JsonResponse({"error": str(error)}, status=409)
        return JsonResponse(
            {
                "ok": True,
                "start": selectors.wall_clock(placement.due_at),
                "message": _("已改到 %(when)s。") % {"when": placement.due_display},
            }
        )


class PlannerView(WagtailAdminTemplateMixin, TemplateView):
    """Pick a key date, get a proposed window and a media × days plan of its campaign."""

    template_name = "media_schedule/calendar/planner.html"
    page_title = gettext_lazy("宣传活动策划")
    header_icon = "calendar-alt"

    def dispatch(self, request, *args, **kwargs):
        if not may_plan(request.user):
            raise PermissionDenied
        self.campaign = None
        self.occurrence = None
        if campaign_id := request.GET.get("campaign"):
            self.campaign = get_object_or_404(
                Campaign.objects.prefetch_related("targets"), pk=_int(campaign_id)
            )
        elif key_date_id := request.GET.get("key_date"):
            key_date = get_object_or_404(
                KeyDate.objects.select_related("window_end"), pk=_int(key_date_id)
            )
            try:
                self.occurrence = key_dates.next_occurrence(key_date, timezone.localdate())
            except ValueError:  # a rule with no date for decades: nothing to plan
                raise Http404 from None
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        calendar = reverse("schedule_calendar:calendar")
        return [
            *placements_breadcrumbs(),
            {"url": calendar, "label": _("排期日历")},
            {"url": "", "label": self.get_page_title()},
        ]

    def existing_campaign(self):
        campaigns = list(
            Campaign.objects.filter(key_date=self.occurrence.key_date).prefetch_related("targets")
        )
        return campaign_for(self.occurrence, campaigns)

    def get(self, request, *args, **kwargs):
        if self.occurrence is not None and (campaign := self.existing_campaign()):
            return redirect(f"{reverse('schedule_calendar:planner')}?campaign={campaign.pk}")
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.occurrence is None:
            raise Http404
        if not request.user.has_perm("publicity.add_campaign"):
            raise PermissionDenied
        form = PlannedCampaignForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        data = form.cleaned_data
        campaign = campaign_create(
            name=data["name"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            key_date=self.occurrence.key_date,
            targets=data["targets"],
        )
        messages.success(request, _("已建立宣传活动“%(name)s”。") % {"name": campaign.name})
        return redirect(f"{reverse('schedule_calendar:planner')}?campaign={campaign.pk}")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["upcoming"] = upcoming_key_dates(limit=12)
        context["state_labels"] = STATE_LABELS
        context["can_add_campaign"] = self.request.user.has_perm("publicity.add_campaign")
        if self.campaign is not None:
            first_day = None
            if value := self.request.GET.get("from"):
                try:
                    first_day = datetime.date.fromisoformat(value[:10])
                except ValueError:
                    first_day = None
            context["plan"] = campaign_plan(self.campaign, first_day=first_day)
            context["plan_url"] = reverse("schedule_calendar:plan_item")
        elif self.occurrence is not None:
            occurrence = self.occurrence
            start, end = key_dates.proposed_window(occurrence, occurrence.key_date.lead_days)
            context["occurrence"] = occurrence
            context["occurrence_date"] = long_date(occurrence.date)
            context["occurrence_end"] = long_date(occurrence.ends_on)
            context.setdefault(
                "form",
                PlannedCampaignForm(
                    initial={
                        "name": _("%(name)s宣传") % {"name": occurrence.key_date.name},
                        "starts_on": start,
                        "ends_on": end,
                    }
                ),
            )
        return context


def _date(value: str, default: datetime.date) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        return default


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise Http404 from None


class PlanItemView(WagtailAdminTemplateMixin, FormView):
    """Put an item on a day: pick it, then continue in "schedule to outlets" with the day's
    time, the medium's active outlets and the campaign filled in."""

    form_class = PlanItemForm
    template_name = "media_schedule/calendar/plan_item.html"
    page_title = gettext_lazy("安排到这一天")
    header_icon = "calendar-alt"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("media_schedule.add_placement"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *placements_breadcrumbs(),
            {"url": reverse("schedule_calendar:calendar"), "label": _("排期日历")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_initial(self):
        keys = ("date", "medium", "campaign", "time")
        return {key: self.request.GET[key] for key in keys if self.request.GET.get(key)}

    def form_valid(self, form):
        data = form.cleaned_data
        outlets = Outlet.objects.filter(is_active=True)
        outlets = list(outlets.filter(medium=data["medium"])[:ROWS]) if data["medium"] else []
        query = {"campaign": data["campaign"].pk} if data["campaign"] else {}
        for row, outlet in enumerate(outlets or [None]):
            if outlet is not None:
                query[f"outlet_{row}"] = outlet.pk
            query[f"due_at_{row}"] = form.due_text()
        url = reverse("media_schedule_page", args=[data["page"].pk])
        return redirect(f"{url}?{urlencode(query)}")
