/* Draws the key drivers' importance x performance chart (progressive enhancement: the table
   below carries the same numbers). Data comes from the JSON block #drivers-data. */
(function () {
  "use strict";
  var source = document.getElementById("drivers-data");
  var box = document.getElementById("drivers-chart-box");
  var canvas = document.getElementById("drivers-chart");
  if (!source || !box || !canvas || typeof window.Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  var colors = { "fix now": "#c0362c", "keep": "#1a7f4b", "maintain": "#3557d6", "monitor": "#667085" };
  box.hidden = false;

  /* Split lines, quadrant names and point labels, drawn on top of the scatter. */
  var quadrantPlugin = {
    id: "cxQuadrants",
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx, area = chart.chartArea, x = chart.scales.x, y = chart.scales.y;
      var sx = x.getPixelForValue(data.performance_split);
      var sy = y.getPixelForValue(data.importance_split);
      ctx.save();
      ctx.strokeStyle = "#98a2b3";
      ctx.setLineDash([5, 4]);
      ctx.beginPath();
      ctx.moveTo(sx, area.top); ctx.lineTo(sx, area.bottom);
      ctx.moveTo(area.left, sy); ctx.lineTo(area.right, sy);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.font = "600 12px system-ui, sans-serif";
      ctx.fillStyle = "#98a2b3";
      ctx.textBaseline = "top";
      ctx.textAlign = "left";
      ctx.fillText("Fix now", area.left + 6, area.top + 4);
      ctx.fillText("Monitor", area.left + 6, area.bottom - 18);
      ctx.textAlign = "right";
      ctx.fillText("Keep", area.right - 6, area.top + 4);
      ctx.fillText("Maintain", area.right - 6, area.bottom - 18);
      ctx.font = "12px system-ui, sans-serif";
      ctx.fillStyle = "#1d2330";
      ctx.textBaseline = "bottom";
      chart.getDatasetMeta(0).data.forEach(function (point, i) {
        var label = data.points[i].label;
        if (label.length > 28) label = label.slice(0, 27) + "…";
        var right = point.x + 8 + ctx.measureText(label).width > area.right;
        ctx.textAlign = right ? "right" : "left";
        ctx.fillText(label, point.x + (right ? -8 : 8), point.y - 4);
      });
      ctx.restore();
    }
  };

  var xs = data.points.map(function (p) { return p.x; }).concat([data.performance_split]);
  var ys = data.points.map(function (p) { return p.y; }).concat([data.importance_split]);
  var pad = Math.max(0.2, (Math.max.apply(null, xs) - Math.min.apply(null, xs)) * 0.15);
  new window.Chart(canvas, {
    type: "scatter",
    data: {
      datasets: [{
        label: "Drivers",
        data: data.points.map(function (p) { return { x: p.x, y: p.y }; }),
        pointRadius: 6,
        pointHoverRadius: 8,
        pointBackgroundColor: data.points.map(function (p) { return colors[p.quadrant] || "#3557d6"; }),
        pointBorderColor: "#fff"
      }]
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      layout: { padding: { top: 8, right: 12 } },
      scales: {
        x: { min: Math.min.apply(null, xs) - pad, max: Math.max.apply(null, xs) + pad,
             title: { display: true, text: "Performance (mean rating)" } },
        y: { min: 0, suggestedMax: Math.min(100, Math.max.apply(null, ys) * 1.15 + 5),
             title: { display: true, text: "Importance (% of R²)" } }
      },
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            label: function (item) {
              var p = data.points[item.dataIndex];
              return p.label + ": importance " + p.y.toFixed(1) + "%, mean " + p.x.toFixed(2) +
                " (" + p.quadrant + ")";
            }
          }
        }
      }
    },
    plugins: [quadrantPlugin]
  });
})();
