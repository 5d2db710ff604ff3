// The console's glue: draws each chart (uPlot) from the data its element carries, again after
// htmx swaps in fresh data. No inline scripts anywhere, so the page's CSP allows only this origin.
(function () {
  var palette = ['#1f7a3d', '#9a5b00', '#b3261e', '#2456a6'];
  var dashes = [[], [6, 3], [2, 2], [10, 4]];

  function draw(el) {
    var data = JSON.parse(el.getAttribute('data-series'));
    el.innerHTML = '';
    if (!data.x.length) {
      el.textContent = 'No data in this window yet.';
      return;
    }
    var series = [{}];
    data.labels.forEach(function (label, i) {
      series.push({
        label: label,
        stroke: palette[i % palette.length],
        dash: dashes[i % dashes.length],
        width: 2,
        points: { show: data.points, size: 6 },
        paths: data.points ? function () { return null; } : undefined
      });
    });
    new uPlot({
      width: Math.max(el.clientWidth - 16, 300),
      height: 240,
      series: series,
      axes: [{}, { label: data.unit }],
      // one point alone would stretch the time axis over years: show the minute around it
      scales: { x: { time: true, range: function (u, min, max) { return min === max ? [min - 60, max + 60] : [min, max]; } } }
    }, [data.x].concat(data.y), el);
  }

  function drawAll() {
    document.querySelectorAll('.chart[data-series]').forEach(draw);
  }

  document.addEventListener('DOMContentLoaded', function () { drawAll(); });
  document.addEventListener('htmx:afterSettle', function () { drawAll(); });
})();
