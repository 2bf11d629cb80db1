// Draws the analytics dashboard's charts with Chart.js. Each <canvas data-chart="key"> finds its figures in
// the <script type="application/json" id="chart-key"> that Django's json_script wrote: no data is ever inlined
// into script, and this file runs from the static folder (no inline script).
(function () {
  "use strict";

  const COLORS = ["#2f5bd3", "#d9822b", "#3a9d5d", "#b8336a", "#7a5cc7", "#1f9aa8", "#8a6d3b", "#5c6b7a"];

  function figures(key) {
    const source = document.getElementById("chart-" + key);
    return source ? JSON.parse(source.textContent) : null;
  }

  function draw(canvas) {
    const spec = figures(canvas.dataset.chart);
    if (!spec || typeof window.Chart === "undefined" || window.Chart.getChart(canvas)) return;
    const line = spec.type === "line";
    const datasets = spec.datasets.map((set, index) => {
      const color = COLORS[index % COLORS.length];
      return {
        label: set.label,
        data: set.data,
        borderColor: color,
        backgroundColor: line ? color : color + "cc",
        borderWidth: line ? 2 : 0,
        pointRadius: line ? 1.5 : 0,
        tension: 0.2,
        spanGaps: true,
      };
    });
    new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        locale: document.documentElement.lang || undefined,
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { display: datasets.length > 1 } },
        scales: {
          x: { ticks: { autoSkip: true, maxRotation: 0 } },
          y: { beginAtZero: true, title: { display: Boolean(spec.unit), text: spec.unit || "" } },
        },
      },
    });
  }

  function drawAll(root) {
    root.querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => drawAll(document));
  } else {
    drawAll(document);
  }
  document.addEventListener("htmx:afterSettle", (event) => drawAll(event.target));
})();
