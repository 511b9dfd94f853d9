// The values of `redqueen run`'s options: durations, counts in a range,
// orders, targets (options.h declares them).
#include <sched.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "queen/options.h"  // IWYU pragma: associated
#include "queen/run_environment.h"

namespace redqueen::queen {

int AvailableCpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
  return std::max(1, CPU_COUNT(&set));
}

bool ParseDuration(const std::string& text, std::chrono::microseconds* duration) {
  size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    return false;
  }
  const std::string unit = text.substr(used);
  double seconds_per_unit = 0;
  if (unit.empty() || unit == "s") {
    seconds_per_unit = 1;
  } else if (unit == "ms") {
    seconds_per_unit = 1e-3;
  } else if (unit == "us" || unit == "µs") {
    seconds_per_unit = 1e-6;
  } else if (unit == "m") {
    seconds_per_unit = 60;
  } else if (unit == "h") {
    seconds_per_unit = 3600;
  } else {
    return false;
  }
  const double seconds = value * seconds_per_unit;
  // Written as "!(in range)" so that NaN, which compares false, is refused:
  // converting it (or a huge value) to an integer is undefined behaviour.
  if (!(seconds >= 0 && seconds <= kMaxDurationHours * 3600.0)) return false;
  *duration = std::chrono::microseconds(static_cast<int64_t>(seconds * 1e6));
  return true;
}

std::string DurationError(const std::string& text) {
  return "must be a duration from 0 to " + std::to_string(kMaxDurationHours) +
         "h (e.g. 90s, 1.5m, 500ms), not '" + text + "'";
}

std::string CheckNumber(const std::string& text, double min, double max, bool whole) {
  const std::string range = "from " + std::to_string(static_cast<int64_t>(min)) + " to " +
                            std::to_string(static_cast<int64_t>(max));
  errno = 0;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  // NaN, infinity and what overflows a double are no numbers here.
  const bool number = !text.empty() && *end == '\0' && errno != ERANGE &&
                      std::isspace(static_cast<unsigned char>(text[0])) == 0 &&
                      std::isfinite(value);
  const bool whole_number = number && value == std::floor(value) &&
                            text.find_first_not_of("+-0123456789") == std::string::npos;
  if (!(whole ? whole_number : number)) {
    return std::string("must be ") + (whole ? "a whole number " : "a number ") + range +
           ", not '" + text + "'";
  }
  if (!(value >= min && value <= max)) return "must be " + range + ", not " + text;
  return "";
}

std::function<std::string(const std::string&)> WholeIn(int64_t min, int64_t max) {
  return [min, max](const std::string& text) {
    return CheckNumber(text, static_cast<double>(min), static_cast<double>(max));
  };
}

bool ParseOrder(const std::string& text, std::string* kind, uint64_t* seed,
                bool* seeded) {
  *seeded = false;
  if (text == "history" || text == "declared" || text == "random") {
    *kind = text;
    return true;
  }
  const std::string prefix = "random:";
  if (text.compare(0, prefix.size(), prefix) != 0 || text.size() == prefix.size()) {
    return false;
  }
  const std::string digits = text.substr(prefix.size());
  if (digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 19) {
    return false;
  }
  *kind = "random";
  *seed = std::stoull(digits);
  *seeded = true;
  return true;
}

namespace {

/// Letters, digits and `extra`, not empty.
bool IsWord(const std::string& text, const std::string& extra) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [&extra](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           extra.find(c) != std::string::npos;
  });
}

bool IsEnvironmentName(const std::string& text) {
  return IsWord(text, "_") && !std::isdigit(static_cast<unsigned char>(text[0]));
}

}  // namespace

bool ParseTargets(const std::vector<std::string>& specs,
                  const std::vector<std::string>& jobs, std::vector<Target>* targets,
                  std::string* error) {
  for (const std::string& spec : specs) {
    const size_t colon = spec.find(':');
    Target target;
    target.name = spec.substr(0, colon);
    if (!IsWord(target.name, "_.-")) {
      *error = "--target '" + spec +
               "': the name must be letters, digits, '_', '.' or '-' "
               "(--target NAME:KEY=VALUE,...)";
      return false;
    }
    for (const Target& other : *targets) {
      if (other.name == target.name) {
        *error = "--target " + target.name + " is given twice";
        return false;
      }
    }
    if (colon != std::string::npos) {
      std::stringstream pairs(spec.substr(colon + 1));
      std::string pair;
      while (std::getline(pairs, pair, ',')) {
        const size_t equals = pair.find('=');
        if (equals == std::string::npos || !IsEnvironmentName(pair.substr(0, equals))) {
          *error = "--target '" + spec + "': '" + pair + "' is not KEY=VALUE";
          return false;
        }
        const std::string key = pair.substr(0, equals);
        const auto& steering = RunVariables();
        if (std::find(steering.begin(), steering.end(), key) != steering.end()) {
          // A pawn must run the tests it is sent, with no shard or filter of its own.
          *error = "--target '" + spec + "': " + key +
                   " steers the whole run, not a pawn; give it to redqueen itself";
          return false;
        }
        target.env.emplace_back(key, pair.substr(equals + 1));
      }
    }
    targets->push_back(std::move(target));
  }
  for (const std::string& cap : jobs) {
    const size_t equals = cap.find('=');
    const std::string name = cap.substr(0, equals);
    auto it = std::find_if(targets->begin(), targets->end(),
                           [&name](const Target& t) { return t.name == name; });
    if (it == targets->end()) {
      *error = "--target-jobs '" + cap + "': no --target named '" + name + "'";
      return false;
    }
    const std::string count = equals == std::string::npos ? "" : cap.substr(equals + 1);
    if (count.empty() || count.size() > 6 ||
        count.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(count) < 1) {
      *error = "--target-jobs '" + cap + "': expected NAME=N with N a positive number";
      return false;
    }
    it->jobs = std::stoi(count);
  }
  return true;
}

}  // namespace redqueen::queen
