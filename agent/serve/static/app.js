// Run pages: draw the best-so-far curve and grow it by polling the run's JSON endpoint.
(function () {
  "use strict";
  var layout = function (y) {
    return { margin: { t: 10, r: 10, b: 40, l: 60 }, xaxis: { title: { text: "trial" } },
             yaxis: { title: { text: y } }, showlegend: true, legend: { orientation: "h" } };
  };
  var trace = function (name, x, y) {
    return { x: x, y: y, name: name, type: "scatter", line: { shape: "hv" },
             mode: x.length > 500 ? "lines" : "lines+markers" };
  };
  var set = function (id, value) {
    var el = document.getElementById(id);
    if (el && value !== null && value !== undefined) { el.textContent = value; }
  };
  var fmt = function (v) { return v === null ? "-" : Number(v.toPrecision(6)).toString(); };

  var chart = document.getElementById("curve");
  if (chart) {
    var data = JSON.parse(document.getElementById("curve-data").textContent);
    var label = chart.dataset.label;
    Plotly.newPlot(chart, [trace(label, data.x, data.y)], layout(label), { responsive: true });
    var count = data.total;
    var poll = function () {
      fetch("/api/runs/" + encodeURIComponent(chart.dataset.run) + "/curve?since=" + count)
        .then(function (r) { return r.json(); })
        .then(function (d) {
          if (d.x && d.x.length) {
            Plotly.extendTraces(chart, { x: [d.x], y: [d.y] }, [0]);
          }
          count = d.total;
          set("status", d.status); set("trials", d.trials); set("best", fmt(d.best));
          set("calls", d.calls); set("cost", d.cost.toFixed(4));
        })
        .catch(function () {})
        .then(function () { setTimeout(poll, 1000); });
    };
    setTimeout(poll, 1000);
  }

  var cmp = document.getElementById("compare-curve");
  if (cmp) {
    var c = JSON.parse(document.getElementById("compare-data").textContent);
    Plotly.newPlot(cmp, c.curves.map(function (d, i) { return trace(c.names[i], d.x, d.y); }),
                   layout("best so far"), { responsive: true });
  }
})();
