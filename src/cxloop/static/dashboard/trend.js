/* Draws the weekly NPS trend with its 95% interval as a band (progressive enhancement:
   without JavaScript the table below the chart stays open). Data comes from a JSON block. */
(function () {
  "use strict";
  var source = document.getElementById("nps-trend-data");
  var box = document.getElementById("nps-trend-box");
  var canvas = document.getElementById("nps-trend-chart");
  if (!source || !box || !canvas || typeof window.Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  box.hidden = false;
  var accent = "#3557d6";
  new window.Chart(canvas, {
    type: "line",
    data: {
      labels: data.labels,
      datasets: [
        { label: "95% interval", data: data.high, fill: "+1", pointRadius: 0,
          borderWidth: 0, backgroundColor: "rgba(53, 87, 214, 0.15)", spanGaps: false },
        { label: "95% interval, lower", data: data.low, fill: false, pointRadius: 0,
          borderWidth: 0, spanGaps: false },
        { label: "NPS", data: data.nps, borderColor: accent, backgroundColor: accent,
          pointRadius: 2, tension: 0.25, spanGaps: false }
      ]
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: "index", intersect: false },
      scales: {
        y: { suggestedMin: -20, suggestedMax: 60, title: { display: true, text: "NPS" } },
        x: { ticks: { maxTicksLimit: 13 } }
      },
      plugins: {
        legend: { labels: { filter: function (item) { return item.datasetIndex !== 1; } } },
        tooltip: {
          filter: function (item) { return item.datasetIndex === 2; },
          callbacks: {
            title: function (items) { return "Week of " + items[0].label; },
            label: function (item) {
              var i = item.dataIndex;
              return "NPS " + Math.round(data.nps[i]) + " (" + Math.round(data.low[i]) +
                " to " + Math.round(data.high[i]) + "), n = " + data.n[i];
            }
          }
        }
      }
    }
  });
  var table = document.getElementById("nps-trend-table");
  if (table) table.open = false;
})();
