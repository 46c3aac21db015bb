// The activity entry page: live attendance totals and the sales field only for 直播带货.
// Loaded as a file because the CSP forbids inline scripts.
(function () {
  "use strict";

  function updateTotals() {
    var box = document.querySelector("[data-attendance-totals]");
    if (!box) return;
    var counts = { present: 0, leave: 0, absent: 0 };
    document.querySelectorAll("select[data-attendance]").forEach(function (el) {
      if (counts.hasOwnProperty(el.value)) counts[el.value] += 1;
    });
    Object.keys(counts).forEach(function (key) {
      var span = box.querySelector('[data-count="' + key + '"]');
      if (span) span.textContent = counts[key];
    });
  }

  function toggleSales() {
    var kind = document.getElementById("id_kind");
    var sales = document.getElementById("div_id_sales_wan");
    if (!kind || !sales) return;
    var input = document.getElementById("id_sales_wan");
    // A figure already typed stays visible, so a refused form can still be corrected.
    sales.classList.toggle("d-none", kind.value !== "livestream" && !(input && input.value));
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-attendance]")) updateTotals();
    if (event.target.id === "id_kind") toggleSales();
  });
  document.addEventListener("DOMContentLoaded", function () {
    updateTotals();
    toggleSales();
  });
})();
