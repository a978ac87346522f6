/* Charts of the themes pages, drawn with the vendored Chart.js from JSON blocks in the page
   (progressive enhancement: the tables stay when JavaScript or the chart is missing).
   - #tx-map-*: one bubble per theme, x = mentions, y = net sentiment, labelled with its name.
   - #tx-trend-*: a theme's mentions and negative mentions by week, as bars. */
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") return;
  var good = "#1a7f4b", bad = "#c0362c", accent = "#3557d6";

  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  /* Writes each point's theme name beside it (Chart.js has no built-in point labels); a label
     that would overlap one already written moves down a line. */
  var pointLabels = {
    id: "txPointLabels",
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx, placed = [], line = 14;
      ctx.save();
      ctx.font = "12px system-ui, sans-serif";
      ctx.fillStyle = "#1d2330";
      ctx.textBaseline = "middle";
      chart.getDatasetMeta(0).data.forEach(function (point, i) {
        var item = chart.data.datasets[0].data[i];
        var width = ctx.measureText(item.name).width;
        var right = point.x + item.r + 4 + width < chart.chartArea.right;
        var x = right ? point.x + item.r + 4 : point.x - item.r - 4 - width;
        var y = point.y;
        while (placed.some(function (b) {
          return x < b.x + b.w && b.x < x + width && Math.abs(b.y - y) < line;
        })) { y += line; }
        placed.push({ x: x, y: y, w: width });
        ctx.textAlign = "left";
        ctx.fillText(item.name, x, y);
      });
      ctx.restore();
    }
  };

  function themeMap() {
    var box = document.getElementById("tx-map-box");
    var canvas = document.getElementById("tx-map-chart");
    var points = data("tx-map-data");
    if (!box || !canvas || !points) return;
    var most = Math.max.apply(null, points.map(function (p) { return p.x; }).concat([1]));
    points.forEach(function (p) { p.r = 4 + 14 * Math.sqrt(p.x / most); });
    box.hidden = false;
    new window.Chart(canvas, {
      type: "bubble",
      data: {
        datasets: [{
          label: "Themes",
          data: points,
          backgroundColor: points.map(function (p) {
            return p.y < 0 ? "rgba(192, 54, 44, 0.55)" : "rgba(26, 127, 75, 0.55)";
          }),
          borderColor: points.map(function (p) { return p.y < 0 ? bad : good; })
        }]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        layout: { padding: { right: 8 } },
        scales: {
          x: { beginAtZero: true, suggestedMax: most * 1.15, ticks: { precision: 0 },
               title: { display: true, text: "Mentions" } },
          y: { min: -125, max: 125, title: { display: true, text: "Net sentiment" },
               ticks: { stepSize: 25, callback: function (v) { return Math.abs(v) > 100 ? "" : v; } } }
        },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: function (item) {
                var p = item.raw;
                return p.name + ": " + p.x + " mentions (" + p.share + "%), net " + Math.round(p.y);
              }
            }
          }
        },
        onClick: function (_event, items) {
          if (items.length) {
            window.location.href = "/app/themes/" + encodeURIComponent(points[items[0].index].key);
          }
        }
      },
      plugins: [pointLabels]
    });
  }

  function trend() {
    var box = document.getElementById("tx-trend-box");
    var canvas = document.getElementById("tx-trend-chart");
    var series = data("tx-trend-data");
    if (!box || !canvas || !series) return;
    box.hidden = false;
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: series.labels,
        datasets: [
          { label: "Mentions", data: series.mentions, backgroundColor: accent, maxBarThickness: 28 },
          { label: "Negative mentions", data: series.negative, backgroundColor: bad,
            maxBarThickness: 28 }
        ]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } }, x: { ticks: { maxTicksLimit: 13 } } },
        plugins: { tooltip: { callbacks: { title: function (items) { return "Week of " + items[0].label; } } } }
      }
    });
    var table = document.getElementById("tx-trend-table");
    if (table) table.open = false;
  }

  themeMap();
  trend();
})();
