// The slot editor: shows the next occurrences under the rule field as the rule, the start
// time or the dates change, asking the admin's preview endpoint (no rule logic here).
(function () {
  "use strict";
  function field(name) {
    return document.querySelector(`[name="${name}"]`);
  }
  function start() {
    const rule = field("rule");
    if (!rule) return;
    const box = document.createElement("div");
    box.setAttribute("data-slot-preview", "");
    box.setAttribute("role", "status");
    box.className = "help";
    rule.closest("[data-field-wrapper], .w-field__wrapper, div").append(box);
    const url = rule.dataset.slotPreviewUrl;
    let timer = null;
    function refresh() {
      const query = new URLSearchParams({
        rule: rule.value,
        start_time: field("start_time")?.value || "",
        starts_on: field("starts_on")?.value || "",
        ends_on: field("ends_on")?.value || "",
      });
      fetch(`${url}?${query}`, { credentials: "same-origin" })
        .then((response) => response.json())
        .then((data) => {
          const list = document.createElement("ul");
          for (const text of data.occurrences) {
            const item = document.createElement("li");
            item.textContent = text;
            list.append(item);
          }
          const heading = document.createElement("p");
          heading.textContent = data.error || data.heading;
          if (data.error) heading.className = "error-message";
          box.replaceChildren(heading, list);
        })
        .catch(() => box.replaceChildren());
    }
    function later() {
      clearTimeout(timer);
      timer = setTimeout(refresh, 250);
    }
    for (const name of ["rule", "start_time", "starts_on", "ends_on"]) {
      field(name)?.addEventListener("input", later);
      field(name)?.addEventListener("change", later);
    }
    refresh();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
