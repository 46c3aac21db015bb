// Behaviour shared by every page; no inline scripts (the CSP allows only files from this server).
(function () {
  "use strict";

  // <form data-confirm="确定……？"> or <button data-confirm="…">: ask before destructive actions.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var message = (submitter && submitter.dataset.confirm) || form.dataset.confirm;
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  // <input type="checkbox" data-check-all="name">: select every row checkbox of a bulk form.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.dataset || !box.dataset.checkAll) return;
    document.querySelectorAll('input[type="checkbox"][name="' + box.dataset.checkAll + '"]').forEach(function (el) {
      el.checked = box.checked;
    });
  });

  // ECharts builds its HTML tooltip with style="" attributes, which the strict CSP refuses
  // (style-src 'self'); richText draws the tooltip on the chart's canvas instead.
  function canvasTooltips(option) {
    [].concat(option.tooltip || []).forEach(function (tooltip) {
      tooltip.renderMode = "richText";
    });
    return option;
  }

  // <div class="chart" data-chart="id-of-json-script">: an ECharts chart whose option object was
  // rendered with {{ option|json_script:"id" }} (reports/ defines the figures).
  function drawCharts(root) {
    if (!window.echarts) return;
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.dataset.chart);
      if (!source) return;
      var chart = window.echarts.init(el);
      chart.setOption(canvasTooltips(JSON.parse(source.textContent)));
      // A data item {value, url} (reports/charts.py) opens the list behind it.
      chart.on("click", function (params) {
        if (params.data && params.data.url) window.location.href = params.data.url;
      });
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.addEventListener("htmx:afterSwap", function (event) { drawCharts(event.target); });
})();
