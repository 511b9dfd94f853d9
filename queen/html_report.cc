#include "queen/html_report.h"

#include <nlohmann/json.hpp>

#include "queen/report_text.h"

namespace redqueen::queen {
namespace {

/// Drawn by the browser from RUN (below): SVG timeline and histogram, and
/// tables. Written with DOM calls only, so no test name or output is ever
/// parsed as markup.
constexpr const char* kScript = R"js(
const NS = 'http://www.w3.org/2000/svg';
const COLOURS = {PASSED: '#3a9d5d', FLAKY: '#d9a400', FAILED: '#d64545',
                 CRASHED: '#8e24aa', TIMEOUT: '#e8710a', SKIPPED: '#9e9e9e'};
function el(tag, attrs, text, ns) {
  const node = ns ? document.createElementNS(NS, tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}
function seconds(us) { return (us / 1e6).toFixed(3) + ' s'; }
function timeline() {
  const runs = RUN.results.filter(r => r.pawn >= 0);
  // A merged run's pawns are its shards' (each from 0): a row per shard and pawn.
  const lane = r => (r.shard ? 'shard ' + r.shard + ' ' : '') + 'pawn ' + r.pawn;
  const pawns = [...new Map(runs.map(r => [lane(r), r.shard * 1e6 + r.pawn]))]
      .sort((a, b) => a[1] - b[1]).map(entry => entry[0]);
  const start = Math.min(...runs.map(r => r.finished_us - r.duration_us));
  const end = Math.max(...runs.map(r => r.finished_us));
  const width = 1000, row = 22, span = Math.max(end - start, 1);
  const left = runs.some(r => r.shard) ? 110 : 60;
  const svg = el('svg', {id: 'timeline', width: width + left, height: pawns.length * row + 10}, undefined, true);
  pawns.forEach((pawn, i) => svg.appendChild(
      el('text', {x: 0, y: i * row + 15, class: 'label'}, pawn, true)));
  for (const r of runs) {
    const x = left + (r.finished_us - r.duration_us - start) / span * width;
    const bar = el('rect', {class: 'bar', x: x, y: pawns.indexOf(lane(r)) * row + 3,
                            width: Math.max(r.duration_us / span * width, 1), height: row - 6,
                            fill: COLOURS[r.status] || '#000'}, undefined, true);
    bar.appendChild(el('title', {}, r.binary + ': ' + r.name + ' — ' + r.status + ', ' +
                                    seconds(r.duration_us), true));
    svg.appendChild(bar);
  }
  return svg;
}
function histogram() {
  // Buckets by powers of ten of microseconds: <10 us, <100 us, ... >= 100 s.
  const counts = new Array(9).fill(0);
  for (const r of RUN.results) {
    counts[Math.min(8, Math.max(0, Math.floor(Math.log10(Math.max(r.duration_us, 1)))))]++;
  }
  const names = ['<10µs', '<100µs', '<1ms', '<10ms', '<100ms', '<1s', '<10s', '<100s', '≥100s'];
  const most = Math.max(...counts, 1), svg = el('svg', {id: 'histogram', width: 560, height: 170}, undefined, true);
  counts.forEach((n, i) => {
    const h = n / most * 130;
    svg.appendChild(el('rect', {class: 'bucket', x: i * 60 + 5, y: 140 - h, width: 50, height: h,
                                fill: '#5470c6'}, undefined, true)).appendChild(
        el('title', {}, names[i] + ': ' + n, true));
    svg.appendChild(el('text', {x: i * 60 + 8, y: 160, class: 'label'}, names[i], true));
  });
  return svg;
}
function table(rows, columns) {
  const t = el('table');
  t.appendChild(el('tr')).append(...columns.map(c => el('th', {}, c)));
  for (const row of rows) t.appendChild(el('tr')).append(...row.map(c => el('td', {}, c)));
  return t;
}
const s = RUN.run;
document.getElementById('summary').textContent =
    `Run ${s.id}: ${s.status}. ${s.total_tests} tests, ${s.tests_passed} passed, ` +
    `${s.tests_failed} failed, ${s.tests_skipped} skipped, ${s.flaky} flaky, in ` +
    `${s.execution_time.toFixed(3)} s on ${s.jobs} pawns. ${s.command}`;
document.getElementById('timeline-box').appendChild(timeline());
document.getElementById('histogram-box').appendChild(histogram());
const slowest = [...RUN.results].sort((a, b) => b.duration_us - a.duration_us).slice(0, 20);
document.getElementById('slowest-box').appendChild(
    table(slowest.map(r => [seconds(r.duration_us), r.binary + ': ' + r.name, r.status]),
          ['time', 'test', 'status']));
const failures = document.getElementById('failures-box');
for (const r of RUN.results.filter(r => ['FAILED', 'CRASHED', 'TIMEOUT'].includes(r.status))) {
  const d = failures.appendChild(el('details', {class: 'failure'}));
  d.appendChild(el('summary', {}, r.status + ' ' + r.binary + ': ' + r.name +
                                  (r.attempt > 1 ? ' (attempt ' + r.attempt + ')' : '')));
  d.appendChild(el('pre', {}, r.text + (r.output ? '\n' + r.output : '')));
}
if (!failures.children.length) failures.textContent = 'None.';
)js";

constexpr const char* kStyle = R"css(
body { font: 14px system-ui, sans-serif; margin: 2em; color: #222; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 2em; }
.label { font: 11px monospace; fill: #555; }
.bar { stroke: #fff; stroke-width: 1; }
table { border-collapse: collapse; } td, th { padding: 2px 10px; text-align: left; }
tr:nth-child(even) { background: #f4f4f4; }
pre { background: #f7f7f7; padding: 8px; overflow-x: auto; }
)css";

}  // namespace

std::string ScriptJson(const nlohmann::json& data) {
  // In a <script>, "</" would end it; JSON allows "<\/" for it.
  std::string embedded =
      data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  for (size_t at = 0; (at = embedded.find("</", at)) != std::string::npos; at += 3) {
    embedded.replace(at, 2, "<\\/");
  }
  return embedded;
}

std::string HtmlReport(const bishop::RunRow& run,
                       const std::vector<bishop::RunExecution>& executions) {
  using nlohmann::json;
  json results = json::array();
  for (const bishop::RunExecution& e : executions) {
    results.push_back({{"binary", BinaryLabel(e.binary, e.target)},
                       {"name", e.name},
                       {"status", StatusName(e.status)},
                       {"attempt", e.attempt},
                       {"duration_us", e.duration_us},
                       {"finished_us", e.finished_us},
                       {"pawn", e.pawn},
                       {"shard", e.shard},
                       {"text", FailureText(e)},
                       {"output", e.output}});
  }
  const json data = {{"run",
                      {{"id", run.id},
                       {"command", run.run.command},
                       {"jobs", run.run.jobs},
                       {"status", run.summary.status},
                       {"total_tests", run.summary.total_tests},
                       {"tests_passed", run.summary.tests_passed},
                       {"tests_failed", run.summary.tests_failed},
                       {"tests_skipped", run.summary.tests_skipped},
                       {"flaky", run.summary.flaky},
                       {"execution_time", run.summary.execution_time}}},
                     {"results", results}};
  const std::string embedded = ScriptJson(data);
  return std::string(
             "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n<title>redqueen "
             "run ") +
         std::to_string(run.id) + "</title>\n<style>" + kStyle +
         "</style></head><body>\n" + "<h1>redqueen run " + std::to_string(run.id) +
         "</h1>\n<p id=\"summary\"></p>\n" +
         "<h2>Timeline</h2><div id=\"timeline-box\"></div>\n" +
         "<h2>Durations</h2><div id=\"histogram-box\"></div>\n" +
         "<h2>Slowest tests</h2><div id=\"slowest-box\"></div>\n" +
         "<h2>Failures</h2><div id=\"failures-box\"></div>\n" +
         "<script>const RUN = " + embedded + ";</script>\n<script>" + kScript +
         "</script>\n</body></html>\n";
}

}  // namespace redqueen::queen
