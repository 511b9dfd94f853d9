#include "queen/usage.h"

#include <CLI/CLI.hpp>
#include <cstdio>

#include "queen/nearest.h"
#include "queen/print_error.h"

namespace redqueen::queen {
namespace {

/// The subcommand `app` is parsing, deepest first; `*path` is how to name
/// it on a command line ("redqueen run").
const CLI::App& Parsing(const CLI::App& app, std::string* path) {
  *path = app.get_name() == "redqueen" ? "redqueen" : "redqueen " + app.get_name();
  const CLI::App* at = &app;
  while (!at->get_subcommands().empty()) {
    at = at->get_subcommands().front();
    *path += " " + at->get_name();
  }
  return *at;
}

/// The name of `option` as the user wrote it in `args` (the last time), or
/// its long name when it came from elsewhere (the settings file); a
/// positional's own name ("SHELL").
std::string Spelling(const CLI::Option& option, const std::vector<std::string>& args) {
  std::string spelt = !option.get_lnames().empty() ? "--" + option.get_lnames().front()
                      : !option.get_snames().empty()
                          ? "-" + option.get_snames().front()
                          : option.get_name(/*positional=*/true);
  for (const std::string& arg : args) {
    for (const std::string& name : option.get_lnames()) {
      if (arg == "--" + name || arg.rfind("--" + name + "=", 0) == 0) spelt = "--" + name;
    }
    for (const std::string& name : option.get_snames()) {
      if (arg.rfind("-" + name, 0) == 0) spelt = "-" + name;
    }
  }
  return spelt;
}

}  // namespace

std::vector<std::string> OptionNames(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::Option* option : app.get_options()) {
    for (const std::string& name : option->get_snames()) names.push_back("-" + name);
    for (const std::string& name : option->get_lnames()) names.push_back("--" + name);
  }
  return names;
}

std::string HelpCommand(const CLI::App& app) {
  std::string path;
  Parsing(app, &path);
  return path + " --help";
}

std::string ParseErrorLine(const CLI::ParseError& error, const CLI::App& app,
                           const std::vector<std::string>& args) {
  std::string path;
  const CLI::App& command = Parsing(app, &path);
  const std::string see = " (see '" + path + " --help')";
  // An unknown option first, whatever CLI11 met first: `show --stauts
  // FAILED` fails on FAILED as a run number, but --stauts is the mistake.
  const std::vector<std::string> extras = app.remaining(true);
  for (const std::string& extra : extras) {
    if (extra.size() < 2 || extra[0] != '-') continue;
    const std::string name = extra.substr(0, extra.find('='));
    const std::string nearest = Nearest(name, OptionNames(command));
    return "unknown option " + name +
           (nearest.empty() ? see : " (did you mean " + nearest + "?)");
  }
  if (dynamic_cast<const CLI::ExtrasError*>(&error) != nullptr && !extras.empty()) {
    return "unexpected argument '" + extras.front() + "'" + see;
  }
  const std::string message = error.what();
  if (dynamic_cast<const CLI::ValidationError*>(&error) != nullptr) {
    // "--jobs: must be from 1 to 4096, not 0", from CheckNumber or a
    // duration's check: plain already, once the option is named as typed.
    const size_t at = message.find(": must be ");
    if (at != std::string::npos) {
      const CLI::Option* option = command.get_option_no_throw(message.substr(0, at));
      return (option ? Spelling(*option, args) : message.substr(0, at)) +
             message.substr(at + 1);
    }
    // CLI::IsMember's "--pawn: foo not in {auto,resident,exec}".
    const size_t colon = message.find(": ");
    const size_t in = message.rfind(" not in {");
    if (colon != std::string::npos && in != std::string::npos && in > colon &&
        message.back() == '}') {
      const CLI::Option* option = command.get_option_no_throw(message.substr(0, colon));
      std::string choices = message.substr(in + 9, message.size() - in - 10);
      for (size_t comma = choices.find(','); comma != std::string::npos;
           comma = choices.find(',', comma + 2)) {
        choices.replace(comma, 1, ", ");
      }
      return (option ? Spelling(*option, args) : message.substr(0, colon)) +
             " must be one of " + choices + ", not '" +
             message.substr(colon + 2, in - colon - 2) + "'";
    }
  }
  return (message.empty() ? "bad command line" : message) + see;
}

bool ParseCommand(CLI::App& app, int argc, char** argv, int* exit_code) {
  try {
    app.parse(argc - 1, argv + 1);
    return true;
  } catch (const CLI::CallForHelp&) {
    std::fputs(app.help("redqueen").c_str(), stdout);
    *exit_code = kExitPassed;
  } catch (const CLI::ParseError& e) {
    *exit_code =
        ErrorExit(ParseErrorLine(e, app, std::vector<std::string>(argv + 2, argv + argc)),
                  kExitUsage);
  }
  return false;
}

}  // namespace redqueen::queen
