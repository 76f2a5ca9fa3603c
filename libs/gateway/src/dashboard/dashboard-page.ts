/**
 * The dashboard page: static HTML, inline CSS and JS, charts drawn as inline SVG. It polls
 * `/mcp/dashboard/state` (1 s) and `/mcp/analytics/report?period=<select>` (5 s); no reload needed.
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>EasyRemote dashboard</title>
<style>
  :root { --bg:#0f1419; --panel:#182028; --line:#2a3540; --text:#d8e0e8; --dim:#8a98a6; --ok:#4cc38a; --err:#e5534b; --accent:#4aa3ff; }
  * { box-sizing: border-box; }
  body { margin:0; font:14px/1.4 system-ui, sans-serif; background:var(--bg); color:var(--text); }
  header { display:flex; align-items:center; gap:16px; padding:12px 20px; border-bottom:1px solid var(--line); }
  header h1 { font-size:18px; margin:0; }
  header .status { color:var(--dim); font-size:12px; margin-left:auto; }
  /* Fits a 1400 px window without sideways scrolling: two columns, wide tables across both, fixed
     table layout so a long name is cut (full text in its title) instead of widening the page. */
  main { display:grid; grid-template-columns:repeat(auto-fit, minmax(min(100%, 520px), 1fr)); gap:16px; padding:16px 20px; }
  section { background:var(--panel); border:1px solid var(--line); border-radius:8px; padding:12px 14px; min-width:0; overflow-x:auto; }
  section.wide { grid-column:1/-1; }
  section h2 { font-size:13px; text-transform:uppercase; letter-spacing:.06em; color:var(--dim); margin:0 0 10px; }
  .cards { display:flex; gap:12px; grid-column:1/-1; }
  .card { flex:1; background:var(--panel); border:1px solid var(--line); border-radius:8px; padding:10px 14px; }
  .card .v { font-size:26px; font-weight:600; }
  .card .l { color:var(--dim); font-size:12px; }
  table { width:100%; border-collapse:collapse; font-size:13px; table-layout:fixed; }
  th, td { text-align:left; padding:4px 5px; border-bottom:1px solid var(--line); white-space:nowrap; overflow:hidden; text-overflow:ellipsis; }
  th { color:var(--dim); font-weight:500; }
  .bar { width:100%; max-width:90px; height:8px; background:var(--line); border-radius:4px; display:inline-block; vertical-align:middle; }
  .bar > i { display:block; height:100%; background:var(--accent); border-radius:4px; }
  .ok { color:var(--ok); } .err { color:var(--err); }
  .charts { grid-column:1/-1; display:grid; grid-template-columns:repeat(auto-fit, minmax(min(100%, 320px), 1fr)); gap:16px; }
  svg { width:100%; height:auto; aspect-ratio:320 / 140; display:block; }
  svg text { fill:var(--dim); font-size:9px; }
  .advice li { margin:4px 0; }
  select { background:var(--bg); color:var(--text); border:1px solid var(--line); border-radius:4px; padding:2px 6px; }
  .empty { color:var(--dim); font-style:italic; }
  #login input { background:var(--bg); color:var(--text); border:1px solid var(--line); border-radius:4px; padding:2px 6px; }
</style>
</head>
<body>
<header><h1>EasyRemote</h1><span>mesh dashboard</span><form id="login" hidden><input id="key" type="password" placeholder="API key" autocomplete="off"> <button>use key</button></form><span class="status" id="status">connecting…</span></header>
<main>
  <div class="cards">
    <div class="card"><div class="v" id="c-nodes">–</div><div class="l">nodes</div></div>
    <div class="card"><div class="v" id="c-tools">–</div><div class="l">tools</div></div>
    <div class="card"><div class="v" id="c-inflight">–</div><div class="l">calls in flight (mesh)</div></div>
    <div class="card"><div class="v" id="c-recent">–</div><div class="l">calls, last 5 min (this gateway)</div></div>
  </div>
  <div class="charts">
    <section><h2>Calls per interval</h2><svg id="ch-calls" viewBox="0 0 320 140"></svg></section>
    <section><h2>Mean latency (ms)</h2><svg id="ch-latency" viewBox="0 0 320 140"></svg></section>
    <section><h2>Errors per interval</h2><svg id="ch-errors" viewBox="0 0 320 140"></svg></section>
  </div>
  <section class="wide"><h2>Nodes</h2><table id="nodes"><thead><tr><th>node</th><th>load</th><th>in flight</th><th>latency</th><th>errors</th><th>done</th><th>GPUs</th><th>seen</th></tr></thead><tbody></tbody></table></section>
  <section><h2>Tools</h2><table id="tools"><thead><tr><th>tool</th><th>providers</th></tr></thead><tbody></tbody></table></section>
  <section><h2>Conflicts (nodes that get no calls for a tool they advertise)</h2><table id="conflicts"><thead><tr><th>tool</th><th>node</th><th>reason</th></tr></thead><tbody></tbody></table></section>
  <section class="wide"><h2>Tasks (created through this gateway)</h2><table id="tasks"><thead><tr><th>started</th><th>tool</th><th>runs on</th><th>status</th><th>updated</th></tr></thead><tbody></tbody></table></section>
  <section class="wide"><h2>Recent calls</h2><table id="recent"><thead><tr><th>time</th><th>tool</th><th>node</th><th>outcome</th><th>ms</th></tr></thead><tbody></tbody></table></section>
  <section><h2>Usage report <select id="period"><option>1h</option><option selected>24h</option><option>7d</option><option>30d</option></select></h2><div id="report"><p class="empty">loading…</p></div></section>
</main>
<script>
(function () {
  var key = (location.hash.match(/key=([^&]+)/) || [])[1];
  var headers = key ? { authorization: 'Bearer ' + decodeURIComponent(key) } : {};
  function $(id) { return document.getElementById(id); }
  $('login').addEventListener('submit', function (event) {
    event.preventDefault();
    headers = { authorization: 'Bearer ' + $('key').value };
    $('login').hidden = true;
    tick(); report();
  });
  function esc(v) { return String(v == null ? '' : v).replace(/[&<>"']/g, function (c) { return '&#' + c.charCodeAt(0) + ';'; }); }
  function get(url) {
    return fetch(url, { headers: headers, cache: 'no-store' }).then(function (r) {
      if (r.status === 401 || r.status === 403) $('login').hidden = false;
      if (!r.ok) throw new Error(url.split('?')[0] + ': HTTP ' + r.status);
      return r.json();
    });
  }
  // The "none" row spans exactly the header's columns: a larger colspan would make a fixed-layout table add columns.
  function rows(tbody, html) { tbody.innerHTML = html || '<tr><td class="empty" colspan="' + tbody.parentNode.tHead.rows[0].cells.length + '">none</td></tr>'; }
  function pad2(n) { return (n < 10 ? '0' : '') + n; }
  function hhmm(t) { var d = new Date(t); return pad2(d.getHours()) + ':' + pad2(d.getMinutes()); }
  // A line over time: the x axis is labelled with wall-clock minutes (local time), the y axis with 0 and the peak.
  function chart(svg, series, pick, color) {
    var values = series.map(pick);
    var W = 320, L = 30, R = 16, T = 8, B = 114;
    var max = Math.max.apply(null, values.concat([1]));
    var t0 = series.length ? series[0].at : 0, t1 = series.length ? series[series.length - 1].at : 1;
    var span = Math.max(1, t1 - t0);
    function x(t) { return (L + (t - t0) / span * (W - L - R)).toFixed(1); }
    function y(v) { return (B - v / max * (B - T)).toFixed(1); }
    var pts = series.map(function (p, i) { return x(p.at) + ',' + y(values[i]); }).join(' ');
    var step = 60000;
    while (span / step > 6) step *= 2;
    var ticks = '';
    for (var t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
      ticks += '<line x1="' + x(t) + '" y1="' + B + '" x2="' + x(t) + '" y2="' + (B + 4) + '" stroke="#2a3540"/>' +
        '<text x="' + x(t) + '" y="' + (B + 15) + '" text-anchor="middle" data-t="' + t + '">' + hhmm(t) + '</text>';
    }
    svg.innerHTML =
      '<g class="y-axis"><line x1="' + L + '" y1="' + T + '" x2="' + L + '" y2="' + B + '" stroke="#2a3540"/>' +
      '<text x="' + (L - 3) + '" y="' + (T + 4) + '" text-anchor="end">' + esc(Math.round(max)) + '</text>' +
      '<text x="' + (L - 3) + '" y="' + B + '" text-anchor="end">0</text></g>' +
      '<g class="x-axis"><line x1="' + L + '" y1="' + B + '" x2="' + (W - R) + '" y2="' + B + '" stroke="#2a3540"/>' + ticks + '</g>' +
      '<polyline fill="none" stroke="' + color + '" stroke-width="1.5" points="' + pts + '"/>';
    svg.setAttribute('data-total', String(values.reduce(function (a, b) { return a + b; }, 0)));
  }
  function renderState(s) {
    $('c-nodes').textContent = s.nodes.length;
    $('c-tools').textContent = s.tools.length;
    $('c-inflight').textContent = s.nodes.reduce(function (a, n) { return a + n.inFlight; }, 0);
    var windowBuckets = Math.ceil(300000 / s.bucketMs);
    $('c-recent').textContent = s.series.slice(-windowBuckets).reduce(function (a, p) { return a + p.calls; }, 0);
    rows($('nodes').tBodies[0], s.nodes.map(function (n) {
      var load = Math.min(1, n.inFlight / n.maxConcurrency);
      return '<tr data-node="' + esc(n.id) + '"><td title="' + esc(n.id) + '">' + esc(n.id) + '</td><td><span class="bar"><i style="width:' + (load * 100).toFixed(0) + '%"></i></span></td>' +
        '<td>' + n.inFlight + '/' + n.maxConcurrency + '</td><td>' + (n.latencyEwmaMs == null ? '–' : n.latencyEwmaMs.toFixed(1) + ' ms') + '</td>' +
        '<td>' + (n.errorRate == null ? '–' : (n.errorRate * 100).toFixed(1) + '%') + '</td><td>' + (n.completed == null ? '–' : n.completed) + '</td>' +
        '<td>' + n.gpus + '</td><td>' + (n.lastSeenMs / 1000).toFixed(1) + ' s</td></tr>';
    }).join(''));
    rows($('tools').tBodies[0], s.tools.map(function (t) {
      return '<tr data-tool="' + esc(t.name) + '"><td title="' + esc(t.name) + '">' + esc(t.name) + '</td><td title="' + esc(t.providers.join(', ')) + '">' + esc(t.providers.join(', ')) + '</td></tr>';
    }).join(''));
    rows($('conflicts').tBodies[0], (s.conflicts || []).map(function (c) {
      return '<tr data-conflict="' + esc(c.tool + ' ' + c.nodeId) + '"><td>' + esc(c.tool) + '</td><td>' + esc(c.nodeId) + '</td><td class="err" title="' + esc(c.reason) + '">' + esc(c.reason) + '</td></tr>';
    }).join(''));
    rows($('recent').tBodies[0], s.recent.slice(0, 15).map(function (c) {
      var ran = c.nodeId || (c.chunkNodes && c.chunkNodes.length > 0 ? c.chunkNodes.join(', ') : '–');
      return '<tr data-call="' + esc(c.callId) + '"><td>' + esc(new Date(c.at).toLocaleTimeString()) + '</td><td>' + esc(c.tool) + '</td><td title="' + esc(ran) + '">' + esc(ran) + '</td>' +
        '<td class="' + (c.outcome === 'success' ? 'ok' : 'err') + '">' + esc(c.outcome) + '</td><td>' + esc(c.durationMs.toFixed ? c.durationMs.toFixed(1) : c.durationMs) + '</td></tr>';
    }).join(''));
    rows($('tasks').tBodies[0], (s.tasks || []).slice(0, 15).map(function (t) {
      var cls = t.status === 'completed' ? 'ok' : t.status === 'failed' || t.status === 'cancelled' ? 'err' : '';
      return '<tr data-task="' + esc(t.taskId) + '"><td>' + esc(new Date(t.createdAt).toLocaleTimeString()) + '</td><td>' + esc(t.tool) + '</td><td title="' + esc(t.runner) + '">' + esc(t.runner) + '</td>' +
        '<td class="' + cls + '">' + esc(t.status) + '</td><td>' + esc(new Date(t.lastUpdatedAt).toLocaleTimeString()) + '</td></tr>';
    }).join(''));
    chart($('ch-calls'), s.series, function (p) { return p.calls; }, '#4aa3ff');
    chart($('ch-latency'), s.series, function (p) { return p.avgMs; }, '#d4a72c');
    chart($('ch-errors'), s.series, function (p) { return p.errors; }, '#e5534b');
  }
  function renderReport(r) {
    var tools = r.most_used_tools.slice(0, 8).map(function (t) {
      return '<tr><td>' + esc(t.tool) + '</td><td>' + t.calls + '</td><td>' + t.average_execution_time + ' s</td><td>' + (t.success_rate * 100).toFixed(1) + '%</td><td>' + t.cache_hits + '</td></tr>';
    }).join('');
    var nodes = r.resource_utilization.map(function (n) {
      return '<tr><td>' + esc(n.node) + '</td><td>' + n.calls + '</td><td>' + n.busy_seconds + ' s</td><td>' + n.gpu_seconds + ' s</td><td>' + (n.utilization * 100).toFixed(2) + '%</td></tr>';
    }).join('');
    var advice = r.recommendations.map(function (a) {
      return '<li><b>' + esc(a.issue) + '</b> ' + esc(a.tool || a.node) + ': ' + esc(a.recommendation) + (a.potential_improvement ? ' (' + esc(a.potential_improvement) + ')' : '') + '</li>';
    }).join('');
    $('report').innerHTML =
      '<p id="report-summary"><b>' + r.total_tool_calls + '</b> calls · mean ' + r.average_execution_time + ' s · success ' + (r.success_rate * 100).toFixed(1) + '% · cost ' + r.cost_analysis.total_cost + ' · cache hits ' + r.cache.hits + '</p>' +
      '<table><thead><tr><th>tool</th><th>calls</th><th>mean</th><th>success</th><th>cached</th></tr></thead><tbody>' + (tools || '<tr><td class="empty" colspan="5">no calls</td></tr>') + '</tbody></table>' +
      '<table><thead><tr><th>node</th><th>calls</th><th>busy</th><th>GPU</th><th>utilization</th></tr></thead><tbody>' + nodes + '</tbody></table>' +
      (advice ? '<ul class="advice">' + advice + '</ul>' : '<p class="empty">no advice</p>');
  }
  function tick() {
    get('/mcp/dashboard/state').then(function (s) { renderState(s); $('status').textContent = 'live · ' + new Date(s.now).toLocaleTimeString(); })
      .catch(function (e) { $('status').textContent = 'error: ' + e.message; });
  }
  function report() { get('/mcp/analytics/report?period=' + encodeURIComponent($('period').value)).then(renderReport).catch(function () {}); }
  $('period').addEventListener('change', report);
  tick(); report();
  setInterval(tick, 1000);
  setInterval(report, 5000);
})();
</script>
</body>
</html>
`;
