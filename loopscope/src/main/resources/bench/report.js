// Draws the bench report's charts with uPlot from the JSON embedded in the page.
(function () {
  var report = JSON.parse(document.getElementById('report-data').textContent);
  var results = report.results;

  function widthOf(el) {
    return Math.max(320, el.clientWidth || 600);
  }

  function ms(v) {
    if (v == null) return '';
    if (v >= 1000) return (v / 1000).toFixed(2) + ' s';
    if (v >= 100) return v.toFixed(0) + ' ms';
    if (v >= 10) return v.toFixed(1) + ' ms';
    return v.toFixed(2) + ' ms';
  }

  // x = -log10(1 - p): 0 -> 0 %, 1 -> 90 %, 2 -> 99 %, 3 -> 99.9 %
  function percentLabel(x) {
    var p = 100 - 100 / Math.pow(10, x);
    return (Math.round(p * 1000) / 1000) + ' %';
  }

  function fromZero(u, min, max) {
    return [0, max > 0 ? max * 1.1 : 1];
  }

  var throughput = document.querySelector('[data-chart="throughput"]');
  if (throughput && results.length > 0) {
    var xs = results.map(function (r, i) { return i; });
    new uPlot({
      width: widthOf(throughput),
      height: 260,
      legend: { show: false },
      scales: { x: { time: false, range: [-0.5, results.length - 0.5] }, y: { range: fromZero } },
      axes: [
        { splits: function () { return xs; },
          values: function (u, splits) { return splits.map(function (i) { return results[i] ? results[i].label : ''; }); } },
        { label: 'req/s', size: 70 }
      ],
      series: [
        {},
        { label: 'req/s', stroke: '#4e79a7', fill: 'rgba(78,121,167,0.75)', points: { show: false },
          paths: uPlot.paths.bars({ size: [0.6, 90] }) }
      ]
    }, [xs, results.map(function (r) { return r.requestsPerSecond; })], throughput);
  }

  document.querySelectorAll('[data-chart="latency"]').forEach(function (el) {
    var r = results[Number(el.getAttribute('data-index'))];
    var cap = Math.max(1, Math.log10(Math.max(10, r.completed)));
    var xs = [], ys = [];
    r.percentiles.forEach(function (point) {
      var x = point.percentile >= 100 ? cap : Math.min(cap, -Math.log10(1 - point.percentile / 100));
      if (xs.length === 0 || x > xs[xs.length - 1]) {
        xs.push(x);
        ys.push(point.latencyMs);
      } else {
        ys[ys.length - 1] = Math.max(ys[ys.length - 1], point.latencyMs);
      }
    });
    var ticks = [];
    for (var t = 0; t <= cap; t++) ticks.push(t);
    new uPlot({
      width: widthOf(el),
      height: 220,
      scales: { x: { time: false, range: [0, cap] }, y: { range: fromZero } },
      axes: [
        { splits: function () { return ticks; }, values: function (u, splits) { return splits.map(percentLabel); } },
        { size: 70, values: function (u, splits) { return splits.map(ms); } }
      ],
      series: [
        { label: 'percentile', value: function (u, v) { return v == null ? '' : percentLabel(v); } },
        { label: 'latency', stroke: '#e15759', width: 2, value: function (u, v) { return ms(v); } }
      ]
    }, [xs, ys], el);
  });
})();
