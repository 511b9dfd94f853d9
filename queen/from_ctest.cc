#include "queen/from_ctest.h"

#include <boost/process/args.hpp>
#include <boost/process/child.hpp>
#include <boost/process/io.hpp>
#include <boost/process/pipe.hpp>
#include <boost/process/search_path.hpp>
#include <boost/process/start_dir.hpp>
#include <filesystem>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>

#include "queen/probe.h"

namespace redqueen::queen {

namespace bp = boost::process;

bool BinariesFromCtest(const std::string& build_dir, std::vector<std::string>* binaries,
                       std::string* error) {
  if (!std::filesystem::is_directory(build_dir)) {
    *error = "--from-ctest: '" + build_dir + "' is not a directory";
    return false;
  }
  const auto ctest = bp::search_path("ctest");
  if (ctest.empty()) {
    *error = "--from-ctest: ctest is not on PATH (install cmake)";
    return false;
  }
  bp::ipstream out;
  std::error_code ec;
  bp::child child(ctest, bp::args = {"--show-only=json-v1"}, bp::start_dir = build_dir,
                  bp::std_out > out, bp::std_err > bp::null, bp::std_in < bp::null, ec);
  if (ec) {
    *error = "--from-ctest: cannot run ctest: " + ec.message();
    return false;
  }
  const std::string text{std::istreambuf_iterator<char>(out), {}};
  child.wait();
  const nlohmann::json listing = nlohmann::json::parse(text, nullptr, false);
  if (child.exit_code() != 0 || listing.is_discarded() || !listing.contains("tests")) {
    *error = "--from-ctest: '" + build_dir +
             "' has no CTest tests that ctest could list (is it a configured build "
             "directory?)";
    return false;
  }
  std::set<std::string> seen;
  for (const auto& test : listing["tests"]) {
    const auto command = test.value("command", nlohmann::json::array());
    if (command.empty() || !command[0].is_string()) continue;
    const std::string path = command[0].get<std::string>();
    if (!seen.insert(path).second) continue;
    std::string probe_error;
    if (ProbeBinary(path, &probe_error) != BinaryKind::kUnusable)
      binaries->push_back(path);
  }
  if (binaries->empty()) {
    *error =
        "--from-ctest: none of the tests in '" + build_dir + "' runs a GoogleTest binary";
    return false;
  }
  return true;
}

}  // namespace redqueen::queen
