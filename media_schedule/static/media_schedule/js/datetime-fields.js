// Turns every time field of the scheduler's forms into Wagtail's date-time picker. Wagtail's
// own widget calls the picker from an inline script placed before the picker's code has loaded;
// this waits until every script of the page has run.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("input[data-datetime-chooser]").forEach((input) => {
    window.initDateTimeChooser(input.id, JSON.parse(input.dataset.datetimeChooser));
  });
});
