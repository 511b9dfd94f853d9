#include "queen/bench/bench_html.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "queen/bench/bench_table.h"
#include "queen/html_report.h"

namespace redqueen::queen::bench {
namespace {

/// Drawn by the browser from RUNS: an SVG chart per benchmark. DOM calls
/// only, so no benchmark name is ever parsed as markup.
constexpr const char* kScript = R"js(
const NS = 'http://www.w3.org/2000/svg';
function el(tag, attrs, text, ns) {
  const node = ns ? document.createElementNS(NS, tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}
function time(ns) {
  for (const [unit, size] of [['s', 1e9], ['ms', 1e6], ['µs', 1e3]]) {
    if (ns >= size) return (ns / size).toPrecision(3) + ' ' + unit;
  }
  return ns.toPrecision(3) + ' ns';
}
function chart(name, points) {
  const width = 640, height = 180, pad = 50;
  const low = Math.min(...points.map(p => p.low)), high = Math.max(...points.map(p => p.high));
  const span = Math.max(high - low, high * 1e-6);
  const x = i => pad + (points.length > 1 ? i / (points.length - 1) : 0.5) * (width - 2 * pad);
  const y = v => height - 25 - (v - low) / span * (height - 45);
  const svg = el('svg', {class: 'chart', width: width, height: height}, undefined, true);
  const band = points.map((p, i) => x(i) + ',' + y(p.high)).concat(
      points.map((p, i) => x(i) + ',' + y(p.low)).reverse()).join(' ');
  svg.appendChild(el('polygon', {points: band, class: 'band'}, undefined, true));
  svg.appendChild(el('polyline', {points: points.map((p, i) => x(i) + ',' + y(p.median)).join(' '),
                                  class: 'line'}, undefined, true));
  points.forEach((p, i) => {
    const dot = svg.appendChild(el('circle', {cx: x(i), cy: y(p.median), r: 3, class: 'dot'},
                                   undefined, true));
    dot.appendChild(el('title', {}, 'run ' + p.run + (p.commit ? ' (' + p.commit.slice(0, 12) + ')' : '') +
                                    ': ' + time(p.median) + ' [' + time(p.low) + ', ' + time(p.high) + ']', true));
  });
  svg.appendChild(el('text', {x: 0, y: y(high) + 4, class: 'label'}, time(high), true));
  svg.appendChild(el('text', {x: 0, y: y(low) + 4, class: 'label'}, time(low), true));
  svg.appendChild(el('text', {x: pad, y: height - 5, class: 'label'}, 'run ' + points[0].run, true));
  svg.appendChild(el('text', {x: width - pad - 40, y: height - 5, class: 'label'},
                         'run ' + points[points.length - 1].run, true));
  const box = el('div', {class: 'benchmark'});
  box.appendChild(el('h2', {}, name));
  box.appendChild(svg);
  return box;
}
document.getElementById('summary').textContent = RUNS.summary;
const page = document.getElementById('charts');
for (const b of RUNS.benchmarks) page.appendChild(chart(b.name, b.points));
if (!RUNS.benchmarks.length) page.textContent = 'No bench run in the store yet.';
)js";

constexpr const char* kStyle = R"css(
body { font: 14px system-ui, sans-serif; margin: 2em; color: #222; }
h1 { font-size: 20px; } h2 { font-size: 15px; margin: 1.5em 0 0.3em; font-family: monospace; }
.label { font: 11px monospace; fill: #555; }
.band { fill: #5470c6; fill-opacity: 0.2; stroke: none; }
.line { fill: none; stroke: #5470c6; stroke-width: 1.5; }
.dot { fill: #5470c6; }
)css";

/// Each benchmark (binary and name) with a point per run that measured it.
nlohmann::json Benchmarks(const std::vector<HistoryRun>& runs) {
  std::vector<std::string> order;
  std::map<std::string, nlohmann::json> points;
  for (const HistoryRun& run : runs) {
    for (const auto& [key, median] : run.medians) {
      if (!points.count(key)) order.push_back(key);
      points[key].push_back({{"run", run.id},
                             {"commit", run.commit},
                             {"median", median.estimate},
                             {"low", median.low},
                             {"high", median.high}});
    }
  }
  nlohmann::json list = nlohmann::json::array();
  for (const std::string& key : order)
    list.push_back({{"name", key}, {"points", points[key]}});
  return list;
}

}  // namespace

std::string BenchHtml(const std::vector<HistoryRun>& runs) {
  const std::string summary =
      runs.empty() ? std::string("No bench run yet.")
                   : std::to_string(runs.size()) + " bench runs, " +
                         runs.front().started_at + " to " + runs.back().started_at +
                         ", on " + runs.back().machine.cpu_model + " (" +
                         std::to_string(runs.back().machine.logical_cpus) +
                         " CPUs). Bands: the median's 95% interval.";
  const nlohmann::json data = {{"summary", summary}, {"benchmarks", Benchmarks(runs)}};
  const std::string embedded = ScriptJson(data);
  return std::string(
             "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n"
             "<title>redqueen benchmarks</title>\n<style>") +
         kStyle + "</style></head><body>\n<h1>redqueen benchmarks</h1>\n" +
         "<p id=\"summary\"></p>\n<div id=\"charts\"></div>\n<script>const RUNS = " +
         embedded + ";</script>\n<script>" + kScript + "</script>\n</body></html>\n";
}

std::vector<HistoryRun> HistoryRuns(bishop::Store& store, int limit) {
  std::vector<HistoryRun> runs;
  std::string machine_key;
  for (const bishop::BenchRunRow& row : store.BenchRuns(limit)) {
    if (row.run.kind != "bench") continue;
    if (machine_key.empty()) machine_key = row.run.machine_key;
    if (row.run.machine_key != machine_key) continue;
    SavedRun run;
    std::string error;
    if (!LoadRun(store, row.id, &run, &error)) continue;
    HistoryRun point{
        run.id, run.record.git_commit, run.record.started_at, run.machine, {}};
    for (const BenchResult& result : run.results) {
      if (result.samples.empty()) continue;
      point.medians.emplace_back(result.binary + ": " + result.name,
                                 MedianInterval(Times(result)));
    }
    runs.push_back(std::move(point));
  }
  std::reverse(runs.begin(), runs.end());
  return runs;
}

}  // namespace redqueen::queen::bench
