// A command line, one argument a line, "--" splitting redqueen's from the
// pawns': sorting its GoogleTest flags must keep every argument, leave no
// flag that steers the run where the pawns get it, and refuse with one line.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "queen/gtest_flags.h"
#include "tests/fuzz/require.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using redqueen::fuzz::Require;
  using redqueen::queen::FindGtestFlag;
  using redqueen::queen::FlagRole;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> ours;
  std::vector<std::string> pawn;
  bool after = false;
  for (size_t begin = 0; begin <= input.size();) {
    const size_t end = std::min(input.find('\n', begin), input.size());
    const std::string arg(input.substr(begin, end - begin));
    begin = end + 1;
    // Flag files are read from disk: not the fuzzer's to name.
    if (arg.find("flagfile") != std::string::npos) continue;
    if (arg == "--" && !after) {
      after = true;
    } else {
      (after ? pawn : ours).push_back(arg);
    }
  }
  const size_t given = ours.size() + pawn.size();
  // A run flag with an empty value ("--gtest_filter=") is handed to CLI11 as
  // two arguments.
  size_t split = 0;
  for (const auto* args : {&ours, &pawn}) {
    for (const std::string& arg : *args) {
      if (arg.rfind("--gtest_", 0) != 0 || arg.back() != '=') continue;
      const auto* flag = FindGtestFlag(arg.substr(8, arg.size() - 9));
      split += flag && flag->role == FlagRole::kRun &&
               flag->type != redqueen::queen::FlagType::kBool;
    }
  }
  std::string error;
  if (!redqueen::queen::SortGtestFlags(&ours, &pawn, &error)) {
    Require(!error.empty() && error.find('\n') == std::string::npos,
            "a refusal is one line");
    return 0;
  }
  Require(ours.size() + pawn.size() == given + split, "no argument is lost or made up");
  for (const std::string& arg : pawn) {
    if (arg.rfind("--gtest_", 0) != 0) continue;
    const std::string name = arg.substr(
        8, arg.find('=') == std::string::npos ? std::string::npos : arg.find('=') - 8);
    const auto* flag = FindGtestFlag(name);
    // gtest passes over internal flags it does not know, and so do we.
    if (!flag && name.rfind("internal_", 0) == 0) continue;
    Require(flag && flag->role == FlagRole::kPawn, "pawns get only flags for pawns");
  }
  return 0;
}
