// The charts of /reports/, drawn with uPlot from the figures the page embeds (#report-data):
// the same figures as the tables beside them. Labels come from the tables' headers, so this
// script holds no text of its own.
(function () {
  "use strict";

  function columnLabel(table, index) {
    const header = document.querySelectorAll(`table[data-table="${table}"] thead th`)[index];
    return header ? header.textContent.trim() : "";
  }

  function colour(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || "#1d4ed8";
  }

  function dayStamps(days) {
    // Midnight UTC of each ISO day, shown as that day whatever the browser's zone.
    return days.map((day) => Date.parse(`${day}T00:00:00Z`) / 1000);
  }

  function seriesFor(label, stroke, bars) {
    const series = { label, stroke, width: 2 };
    if (bars) {
      series.fill = stroke + "55";
      series.paths = uPlot.paths.bars({ size: [0.7, 60] });
      series.points = { show: false };
    }
    return series;
  }

  function build(element, data) {
    const accent = colour("--accent");
    const kind = element.dataset.chart;
    const lang = document.documentElement.lang || "fr";
    const dateFormat = new Intl.DateTimeFormat(lang, { day: "numeric", month: "short", timeZone: "UTC" });
    let options;
    let values;
    if (kind === "days") {
      values = [dayStamps(data.days), data.conversations, data.received, data.sent];
      options = {
        series: [{}, seriesFor(columnLabel("days", 1), accent),
          seriesFor(columnLabel("days", 2), "#1a7f37"), seriesFor(columnLabel("days", 3), "#b45309")],
        axes: [{ values: (u, ticks) => ticks.map((t) => dateFormat.format(new Date(t * 1000))) }, {}],
        scales: { x: { time: true } },
      };
    } else if (kind === "backlog") {
      values = [dayStamps(data.days), data.backlog];
      options = {
        series: [{}, seriesFor(columnLabel("days", 5), "#7c3aed")],
        axes: [{ values: (u, ticks) => ticks.map((t) => dateFormat.format(new Date(t * 1000))) }, {}],
        scales: { x: { time: true } },
      };
    } else {
      const counts = kind === "hours" ? data.hours : data.weekdays;
      const names = kind === "hours" ? counts.map((_, hour) => `${hour}h`) : data.weekday_names.map((name) => name.slice(0, 3));
      values = [counts.map((_, index) => index), counts];
      options = {
        series: [{}, seriesFor(columnLabel(kind, 1), accent, true)],
        axes: [{ values: (u, ticks) => ticks.map((t) => names[t] ?? ""), incrs: [1, 2, 3, 6] }, {}],
        scales: { x: { time: false, range: [-0.5, counts.length - 0.5] } },
        legend: { show: false },
      };
    }
    options.width = Math.max(element.clientWidth, 200);
    options.height = element.classList.contains("small") ? 180 : 220;
    options.cursor = { drag: { x: false, y: false } };
    // Counts start at zero, or small differences look large.
    options.scales.y = { range: (u, min, max) => [0, Math.max(1, max * 1.1)] };
    options.legend = Object.assign({ live: false }, options.legend);
    return new uPlot(options, values, element);
  }

  function setUp() {
    const source = document.getElementById("report-data");
    if (!source || typeof uPlot === "undefined") return;
    const data = JSON.parse(source.textContent);
    const charts = [];
    document.querySelectorAll(".chart[data-chart]").forEach((element) => {
      charts.push([element, build(element, data)]);
      element.dataset.drawn = "true";
    });
    let pending = null;
    window.addEventListener("resize", () => {
      clearTimeout(pending);
      pending = setTimeout(() => {
        charts.forEach(([element, chart]) => chart.setSize({ width: Math.max(element.clientWidth, 200), height: chart.height }));
      }, 150);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
