// The schedule calendar: FullCalendar fed one range at a time by the JSON endpoint, in
// Asia/Shanghai wall-clock time (the server sends and takes times without an offset).
document.addEventListener("DOMContentLoaded", () => {
  const element = document.getElementById("calendar");
  if (!element || !window.FullCalendar) return;
  const config = JSON.parse(document.getElementById("calendar-config").textContent);
  const filters = document.getElementById("calendar-filters");
  const message = document.getElementById("calendar-message");
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]");
  const phone = window.matchMedia("(max-width: 700px)").matches;

  function say(text, isError) {
    message.textContent = text;
    message.hidden = !text;
    message.classList.toggle("is-error", Boolean(isError));
  }

  function filterParams() {
    const params = {};
    for (const [name, value] of new FormData(filters)) {
      if (value) params[name] = value;
    }
    return params;
  }

  const calendar = new FullCalendar.Calendar(element, {
    locale: "zh-cn",
    timeZone: "Asia/Shanghai",
    firstDay: 1,
    initialDate: config.initialDate,
    initialView: phone ? "listWeek" : config.initialView,
    headerToolbar: phone
      ? { left: "prev,next", center: "title", right: "today" }
      : { left: "prev,next today", center: "title", right: "dayGridMonth,timeGridWeek,listMonth" },
    footerToolbar: phone ? { center: "dayGridMonth,timeGridWeek,listWeek" } : false,
    height: "auto",
    dayMaxEvents: phone ? 2 : 6,
    nowIndicator: true,
    slotMinTime: "06:00:00",
    slotMaxTime: "24:00:00",
    editable: config.canMove,
    eventDurationEditable: false,
    eventSources: [
      {
        url: config.feedUrl,
        extraParams: filterParams,
        failure: () => say(element.dataset.errorLoad, true),
      },
    ],
    eventDidMount(info) {
      const props = info.event.extendedProps;
      const lines = [info.event.title];
      if (props.statusLabel) lines.push(`${props.medium} · ${props.statusLabel}`);
      if (props.refusal) lines.push(props.refusal);
      info.el.title = lines.join("\n");
      if (props.kind === "placement") info.el.dataset.placement = props.pk;
    },
    async eventDrop(info) {
      const pk = info.event.extendedProps.pk;
      const url = config.moveUrl.replace("/0/move/", `/${pk}/move/`);
      try {
        const response = await fetch(url, {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrf ? csrf.value : "" },
          credentials: "same-origin",
          body: JSON.stringify({ due_at: info.event.startStr }),
        });
        const answer = await response.json();
        if (!response.ok) {
          info.revert();
          say(element.dataset.errorMove + (answer.error || response.status), true);
          return;
        }
        say(answer.message || element.dataset.moved, false);
        calendar.refetchEvents();
      } catch (error) {
        info.revert();
        say(element.dataset.errorMove + error, true);
      }
    },
    dateClick(info) {
      if (!config.planUrl) return;
      const params = new URLSearchParams({ date: info.dateStr.slice(0, 10) });
      if (!info.allDay) params.set("time", info.dateStr.slice(11, 16));
      const campaign = filters.elements.campaign.value;
      if (campaign) params.set("campaign", campaign);
      const medium = filters.elements.medium.value;
      if (medium) params.set("medium", medium);
      window.location.href = `${config.planUrl}?${params}`;
    },
  });
  filters.addEventListener("change", () => calendar.refetchEvents());
  calendar.render();
  window.scheduleCalendar = calendar;
});
