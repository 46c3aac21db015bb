// The consultation forms: a search box over member checkboxes (proposers, other attendees) and
// live attendance totals. Loaded as a file because the CSP forbids inline scripts.
(function () {
  "use strict";

  // Checkboxes rendered with data-member-pick (consultations.forms.MemberCheckboxes) carry
  // data-search = name, pinyin and initials; a box above the list hides the rows that do not match.
  function addMemberSearch() {
    var lists = [];
    document.querySelectorAll("input[data-member-pick]").forEach(function (input) {
      var row = input.closest(".form-check") || input.parentElement;
      var list = row.parentElement;
      if (lists.indexOf(list) === -1) lists.push(list);
    });
    lists.forEach(function (list) {
      var first = list.querySelector("input[data-member-pick]");
      list.classList.add("member-pick-list");
      var box = document.createElement("input");
      box.type = "search";
      box.className = "form-control form-control-sm mb-1";
      box.placeholder = first.dataset.memberPick;
      box.setAttribute("aria-label", first.dataset.memberPick);
      list.parentElement.insertBefore(box, list);
      box.addEventListener("input", function () {
        var q = box.value.trim().toLowerCase();
        list.querySelectorAll("input[data-member-pick]").forEach(function (input) {
          var row = input.closest(".form-check") || input.parentElement;
          var hay = input.dataset.search || row.textContent.toLowerCase();
          row.classList.toggle("d-none", q !== "" && hay.indexOf(q) === -1 && !input.checked);
        });
      });
    });
  }

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
    addMemberSearch();
    updateTotals();
  });
})();
