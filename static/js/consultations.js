// The consultation forms: live attendance totals (member pickers are search selects,
// static/js/search-select.js). Loaded as a file because the CSP forbids inline scripts.
(function () {
  "use strict";

  function updateTotals() {
    var box = document.querySelector("[data-attendance-totals]");
    if (!box) return;
    var counts = { present: 0, leave: 0, absent: 0 };
    document.querySelectorAll("input[data-attendance]:checked").forEach(function (el) {
      if (counts.hasOwnProperty(el.value)) counts[el.value] += 1;
    });
    Object.keys(counts).forEach(function (key) {
      var span = box.querySelector('[data-count="' + key + '"]');
      if (span) span.textContent = counts[key];
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches("input[data-attendance]")) updateTotals();
  });
  document.addEventListener("DOMContentLoaded", function () {
    updateTotals();
  });
})();
