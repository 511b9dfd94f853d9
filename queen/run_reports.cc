#include "queen/run_reports.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>

#include "queen/json_report.h"
#include "queen/junit.h"
#include "queen/print_error.h"

namespace redqueen::queen {

namespace {

/// Writes a report of the run (`what`: "JUnit", "JSON") made by `make` from
/// the executions the run holds. False (error printed) when it cannot.
using MakeReport = std::function<std::string(const std::vector<bishop::RunExecution>&)>;
bool WriteReport(const char* what, const std::string& path,
                 const std::vector<bishop::RunExecution>& executions,
                 const MakeReport& make) {
  std::string text;
  try {
    text = make(executions);
  } catch (const std::exception& e) {
    PrintError(std::string("cannot make the ") + what + " report: " + e.what());
    return false;
  }
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) {
    PrintError(std::string("cannot write the ") + what + " report '" + path +
               "' (is its folder there and writable?); the results are in the store");
    return false;
  }
  return true;
}

/// gtest's name for a binary's report in a folder (--gtest_output=xml:DIR/):
/// DIR/NAME.EXT, else DIR/NAME_1.EXT, NAME_2.EXT... for the first not there.
std::string UniqueReportPath(const std::string& dir, const std::string& binary,
                             const std::string& extension) {
  const std::string base = dir + "/" + std::filesystem::path(binary).filename().string();
  std::string path = base + "." + extension;
  for (int n = 1; std::filesystem::exists(path); ++n) {
    path = base + "_" + std::to_string(n) + "." + extension;
  }
  return path;
}

/// The run's summary with the counts of one binary's parts alone; passed or
/// failed by those counts, unless the run was interrupted or in error.
RunSummary SummaryOf(const std::vector<const ReportPart*>& parts, const RunSummary& run) {
  RunSummary part = run;
  static_cast<RunTotals&>(part) = RunTotals();
  for (const ReportPart* one : parts) Accumulate(one->counts, &part);
  if (run.status != "passed" && run.status != "failed") part.status = run.status;
  return part;
}

}  // namespace

bool WriteReports(const RunOptions& options, const std::vector<ReportPart>& parts,
                  int64_t run_id, const bishop::RunRecord& run_record,
                  const RunSummary& summary) {
  using Runs = std::vector<const ReportPart*>;
  auto junit_for = [](const Runs&) -> MakeReport { return JunitXml; };
  // A file of every binary has the run's summary; a binary's own, its counts.
  auto json_for = [&](const Runs& runs) -> MakeReport {
    const bishop::RunSummaryRecord record =
        runs.size() == parts.size() ? summary : SummaryOf(runs, summary);
    return [&run_record, record, run_id](const std::vector<bishop::RunExecution>& all) {
      return RunJson(run_id, run_record, record, all);
    };
  };
  auto write = [](const char* what, const std::string& path, const Runs& runs,
                  const MakeReport& make) {
    std::vector<const ReportSink*> sinks;
    for (const ReportPart* part : runs) sinks.push_back(part->sink);
    return WriteReport(what, path, ReportExecutions(std::move(sinks)), make);
  };
  Runs all;
  // A binary's targets share its file, as they share its name.
  std::vector<Runs> per_binary;
  for (const ReportPart& part : parts) {
    all.push_back(&part);
    if (per_binary.empty() || per_binary.back().front()->path != part.path) {
      per_binary.emplace_back();
    }
    per_binary.back().push_back(&part);
  }
  struct Kind {
    const char* what;
    const std::string& file;
    const std::string& dir;
    const char* extension;
    std::function<MakeReport(const Runs&)> make_for;
  };
  for (const Kind& kind :
       {Kind{"JUnit", options.junit_path, options.junit_dir, "xml", junit_for},
        Kind{"JSON", options.json_path, options.json_dir, "json", json_for}}) {
    if (!kind.file.empty() && !write(kind.what, kind.file, all, kind.make_for(all))) {
      return false;
    }
    if (kind.dir.empty()) continue;
    for (const Runs& runs : per_binary) {
      const std::string path =
          UniqueReportPath(kind.dir, runs.front()->path, kind.extension);
      if (!write(kind.what, path, runs, kind.make_for(runs))) return false;
    }
  }
  return true;
}

bool CheckReportPaths(const RunOptions& options, std::string* error) {
  namespace fs = std::filesystem;
  for (const std::string* dir : {&options.junit_dir, &options.json_dir}) {
    std::error_code ec;
    if (!dir->empty()) fs::create_directories(*dir, ec);
  }
  if (!options.gtest.output.empty()) {
    for (const std::string* file : {&options.junit_path, &options.json_path}) {
      const fs::path parent = fs::path(*file).parent_path();
      std::error_code ec;
      if (!file->empty() && !parent.empty()) fs::create_directories(parent, ec);
    }
  }
  struct Wanted {
    const char* what;
    const std::string& path;
    bool folder;
  };
  for (const Wanted& wanted : {Wanted{"JUnit report", options.junit_path, false},
                               Wanted{"JSON report", options.json_path, false},
                               Wanted{"event log", options.events_path, false},
                               Wanted{"JUnit report folder", options.junit_dir, true},
                               Wanted{"JSON report folder", options.json_dir, true}}) {
    if (wanted.path.empty() || wanted.path == "-") continue;
    std::error_code ec;
    const fs::path path(wanted.path);
    const bool exists = fs::exists(path, ec);
    const fs::path folder =
        wanted.folder ? path
                      : (path.has_parent_path() ? path.parent_path() : fs::path("."));
    std::string why;
    if (exists && !wanted.folder && fs::is_directory(path, ec)) {
      why = "it is a folder";
    } else if (exists && !wanted.folder && access(wanted.path.c_str(), W_OK) != 0) {
      why = "it is not writable";
    } else if (!fs::is_directory(folder, ec)) {
      why = "the folder '" + folder.string() + "' is not there";
    } else if (access(folder.c_str(), W_OK | X_OK) != 0) {
      why = "the folder '" + folder.string() + "' is not writable";
    }
    if (!why.empty()) {
      *error = std::string("cannot write the ") + wanted.what + " '" + wanted.path +
               "': " + why + " (make it so, or pass another path); no test was run";
      return false;
    }
  }
  return true;
}

}  // namespace redqueen::queen
