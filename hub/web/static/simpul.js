// Simpul web workspace: small progressive enhancements. Every page and form works without this file.
(function () {
  "use strict";

  // An assessment job page: follow the job's progress by polling its JSON status until it ends.
  function followJob(node) {
    var url = node.getAttribute("data-job-url");
    var bar = node.querySelector("progress");
    var text = node.querySelector("[data-job-text]");
    var state = node.querySelector("[data-job-status]");
    var refresh = document.querySelector("[data-job-refresh]");
    if (refresh) { refresh.hidden = true; }
    function tick() {
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (job) {
          if (bar) { bar.value = job.progress.percent; bar.textContent = job.progress.percent + "%"; }
          if (text) { text.textContent = job.text; }
          if (state) { state.textContent = job.status_label; state.className = "badge s-" + job.status; }
          if (job.status === "done" || job.status === "failed") {
            window.location.reload();
            return;
          }
          window.setTimeout(tick, 1000);
        })
        .catch(function () { if (refresh) { refresh.hidden = false; } });
    }
    window.setTimeout(tick, 800);
  }

  // "Select all" for lists of checkboxes (e.g. the applications to assess).
  function selectAll(box) {
    var scope = document.getElementById(box.getAttribute("data-select-all"));
    if (!scope) { return; }
    box.hidden = false;
    box.addEventListener("change", function () {
      var items = scope.querySelectorAll("input[type=checkbox]");
      for (var i = 0; i < items.length; i += 1) { items[i].checked = box.checked; }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var jobs = document.querySelectorAll("[data-job-url]");
    for (var i = 0; i < jobs.length; i += 1) { followJob(jobs[i]); }
    var boxes = document.querySelectorAll("[data-select-all]");
    for (var j = 0; j < boxes.length; j += 1) { selectAll(boxes[j].closest("label") ? boxes[j] : boxes[j]); }
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  });
}());
