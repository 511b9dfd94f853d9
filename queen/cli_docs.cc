#include "queen/cli_docs.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <sstream>

namespace redqueen::queen {
namespace {

/// One option or positional of a command, as the scripts and the page say it.
struct Arg {
  std::vector<std::string> names;  ///< "-j", "--jobs"; empty for a positional.
  std::string positional;          ///< "BINARY".
  std::string type;                ///< "INT", "FILE", "DIR", "TEXT"; empty for a flag.
  std::vector<std::string> choices;
  bool repeatable = false;
  bool required = false;
  std::string description;
  std::string default_value;
};

/// A visible command: its name and what `redqueen NAME` takes.
struct Command {
  std::string name;
  std::string description;
  std::string footer;
  std::vector<Arg> options;
  std::vector<Arg> positionals;
};

Arg Describe(const CLI::Option& option) {
  Arg arg;
  for (const std::string& name : option.get_snames()) arg.names.push_back("-" + name);
  for (const std::string& name : option.get_lnames()) arg.names.push_back("--" + name);
  if (arg.names.empty()) arg.positional = option.get_name(/*positional=*/true);
  // "TEXT", or "TEXT:{auto,resident,exec}" for CLI::IsMember.
  const std::string type = option.get_type_name();
  if (option.get_expected_max() != 0) arg.type = type.substr(0, type.find(':'));
  if (const size_t open = type.find(":{"); open != std::string::npos) {
    std::stringstream list(type.substr(open + 2, type.find('}', open) - open - 2));
    for (std::string item; std::getline(list, item, ',');) arg.choices.push_back(item);
  }
  arg.repeatable = option.get_multi_option_policy() == CLI::MultiOptionPolicy::TakeAll ||
                   option.get_expected_max() > 1;
  arg.required = option.get_required();
  arg.description = option.get_description();
  if (!arg.type.empty()) arg.default_value = option.get_default_str();
  return arg;
}

/// The commands `tree` shows in its help (hidden ones, with an empty group,
/// are left out), with their options and positionals (but hidden ones).
std::vector<Command> Commands(const CLI::App& tree) {
  std::vector<Command> commands;
  for (const CLI::App* sub :
       tree.get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); })) {
    Command command{sub->get_name(), sub->get_description(), sub->get_footer(), {}, {}};
    for (const CLI::Option* option : sub->get_options()) {
      if (option->get_group().empty()) continue;
      Arg arg = Describe(*option);
      (arg.names.empty() ? command.positionals : command.options)
          .push_back(std::move(arg));
    }
    commands.push_back(std::move(command));
  }
  return commands;
}

/// The names of the options of `tree` itself (--help, --version).
std::vector<std::string> TopOptions(const CLI::App& tree) {
  std::vector<std::string> names;
  for (const CLI::Option* option : tree.get_options()) {
    for (const std::string& name : Describe(*option).names) names.push_back(name);
  }
  return names;
}

std::string Join(const std::vector<std::string>& words, const std::string& between) {
  std::string out;
  for (const std::string& word : words) out += (out.empty() ? "" : between) + word;
  return out;
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

/// (name, body) pairs with the same body as one, their names joined as a
/// shell case pattern ("run|list|config"), in the order they first appear.
std::vector<std::pair<std::string, std::string>> Grouped(
    const std::vector<std::pair<std::string, std::string>>& bodies) {
  std::vector<std::pair<std::string, std::string>> groups;
  for (const auto& [name, body] : bodies) {
    auto same = std::find_if(groups.begin(), groups.end(),
                             [&body = body](const auto& g) { return g.second == body; });
    if (same == groups.end()) {
      groups.emplace_back(name, body);
    } else {
      same->first += "|" + name;
    }
  }
  return groups;
}

/// A shell's `case` arms, one per group of commands whose `body` is the
/// same, at `indent`.
std::string CaseArms(const std::vector<Command>& commands,
                     std::string (*body)(const Command&), const std::string& indent) {
  std::vector<std::pair<std::string, std::string>> bodies;
  for (const Command& command : commands)
    bodies.emplace_back(command.name, body(command));
  std::string out;
  for (const auto& [pattern, text] : Grouped(bodies)) {
    out += indent + pattern + ")\n" + text + indent + "  ;;\n";
  }
  return out;
}

// bash -----------------------------------------------------------------

/// How bash completes a value of `arg` (an option's, or a positional).
std::string BashValue(const Arg& arg) {
  if (!arg.choices.empty()) return "_redqueen_reply -W '" + Join(arg.choices, " ") + "'";
  if (arg.type == "FILE") return "compopt -o filenames 2>/dev/null; _redqueen_reply -f";
  if (arg.type == "DIR") return "compopt -o filenames 2>/dev/null; _redqueen_reply -d";
  return ":";
}

std::string BashCommand(const Command& command) {
  std::string body;
  std::vector<std::string> names;
  std::vector<std::pair<std::string, std::string>> values;
  for (const Arg& option : command.options) {
    names.insert(names.end(), option.names.begin(), option.names.end());
    if (!option.type.empty())
      values.emplace_back(Join(option.names, "|"), BashValue(option));
  }
  if (!values.empty()) {
    body += "      case $prev in\n";
    for (const auto& [pattern, action] : Grouped(values)) {
      body += "        " + pattern + ") " + action + "; return ;;\n";
    }
    body += "      esac\n";
  }
  body += "      if [[ $cur == -* ]]; then\n";
  body += "        _redqueen_reply -W '" + Join(names, " ") + "'\n";
  if (!command.positionals.empty() && BashValue(command.positionals.front()) != ":") {
    body += "      else\n        " + BashValue(command.positionals.front()) + "\n";
  }
  body += "      fi\n";
  return body;
}

std::string BashScript(const CLI::App& tree) {
  const std::vector<Command> commands = Commands(tree);
  std::vector<std::string> words;
  for (const Command& command : commands) words.push_back(command.name);
  for (const std::string& name : TopOptions(tree)) words.push_back(name);

  std::string out =
      "# bash completion for redqueen, written by 'redqueen completion bash' from\n"
      "# redqueen's own option table. Use: source <(redqueen completion bash), or\n"
      "# save it as ~/.local/share/bash-completion/completions/redqueen.\n"
      "\n"
      "# A line a match, so that file names may hold spaces.\n"
      "_redqueen_reply() {\n"
      "  mapfile -t COMPREPLY < <(compgen \"$@\" -- \"$cur\")\n"
      "}\n"
      "\n"
      "_redqueen() {\n"
      "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}\n"
      "  # --db=FILE comes as '--db' '=' 'FILE' (COMP_WORDBREAKS holds '=').\n"
      "  if [[ $cur == = ]]; then\n"
      "    cur=\n"
      "  elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then\n"
      "    prev=${COMP_WORDS[COMP_CWORD - 2]}\n"
      "  fi\n"
      "  local command= i\n"
      "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      "    if [[ ${COMP_WORDS[i]} != -* ]]; then\n"
      "      command=${COMP_WORDS[i]}\n"
      "      break\n"
      "    fi\n"
      "  done\n"
      "  COMPREPLY=()\n"
      "  case $command in\n"
      "    '')\n"
      "      _redqueen_reply -W '" +
      Join(words, " ") +
      "'\n"
      "      ;;\n";
  out += CaseArms(commands, BashCommand, "    ");
  out +=
      "  esac\n"
      "}\n"
      "\n"
      "complete -F _redqueen redqueen\n";
  return out;
}

// zsh ------------------------------------------------------------------

/// `text` inside a single-quoted zsh word.
std::string ZshQuoted(const std::string& text) { return Replace(text, "'", "'\\''"); }

/// The first clause of a description, short enough for a completion menu,
/// with what _arguments would read as syntax escaped.
std::string ZshSummary(const std::string& description) {
  std::string text = description.substr(0, description.find("; "));
  if (text.size() > 72) {
    text = text.substr(0, text.rfind(' ', 69)) + "...";
  }
  for (const char* special : {"\\", "[", "]", ":"}) {
    text = Replace(text, special, std::string("\\") + special);
  }
  return text;
}

/// ":MESSAGE:ACTION", how zsh completes a value of `arg`.
std::string ZshValue(const Arg& arg) {
  std::string value = ":" + (arg.positional.empty() ? arg.type : arg.positional) + ":";
  if (!arg.choices.empty()) return value + "(" + Join(arg.choices, " ") + ")";
  if (arg.type == "FILE") return value + "_files";
  if (arg.type == "DIR") return value + "_files -/";
  return value + "( )";
}

std::string ZshCommand(const Command& command) {
  std::string body = "          _arguments -s";
  for (const Arg& option : command.options) {
    const std::string exclusive = option.repeatable ? "*"
                                  : option.names.size() > 1
                                      ? "(" + Join(option.names, " ") + ")"
                                      : "";
    for (const std::string& name : option.names) {
      std::string spec = exclusive + name;
      if (!option.type.empty()) spec += name.size() == 2 ? "+" : "=";
      spec += "[" + ZshSummary(option.description) + "]";
      if (!option.type.empty()) spec += ZshValue(option);
      body += " \\\n            '" + ZshQuoted(spec) + "'";
    }
  }
  for (const Arg& positional : command.positionals) {
    body += " \\\n            '" + std::string(positional.repeatable ? "*" : "1") +
            ZshQuoted(ZshValue(positional)) + "'";
  }
  return body + "\n";
}

std::string ZshScript(const CLI::App& tree) {
  const std::vector<Command> commands = Commands(tree);
  std::string out =
      "#compdef redqueen\n"
      "# zsh completion for redqueen, written by 'redqueen completion zsh' from\n"
      "# redqueen's own option table. Use: save it as _redqueen in a folder of\n"
      "# $fpath, or run source <(redqueen completion zsh) after compinit.\n"
      "\n"
      "_redqueen() {\n"
      "  local curcontext=$curcontext state line\n"
      "  local -a commands\n"
      "  commands=(\n";
  for (const Command& command : commands) {
    out += "    '" +
           ZshQuoted(Replace(command.name, ":", "\\:") + ":" + command.description) +
           "'\n";
  }
  out += "  )\n  _arguments -C";
  for (const CLI::Option* option : tree.get_options()) {
    for (const std::string& name : Describe(*option).names) {
      out +=
          " \\\n    '" +
          ZshQuoted("(- *)" + name + "[" + ZshSummary(option->get_description()) + "]") +
          "'";
    }
  }
  out +=
      " \\\n    '1: :->command' \\\n    '*:: :->argument'\n"
      "  case $state in\n"
      "    command)\n"
      "      _describe -t commands 'redqueen command' commands\n"
      "      ;;\n"
      "    argument)\n"
      "      curcontext=${curcontext%:*:*}:redqueen-$words[1]:\n"
      "      case $words[1] in\n";
  out += CaseArms(commands, ZshCommand, "        ");
  out +=
      "      esac\n"
      "      ;;\n"
      "  esac\n"
      "}\n"
      "\n"
      "if [[ $zsh_eval_context[-1] == loadautofunc ]]; then\n"
      "  _redqueen \"$@\"\n"
      "else\n"
      "  compdef _redqueen redqueen\n"
      "fi\n";
  return out;
}

// roff -----------------------------------------------------------------

/// `text` as roff running text: backslashes and minus signs escaped (an
/// option's "--" must stay two hyphens), and a leading '.' or '\'' kept from
/// reading as a request.
std::string Roff(const std::string& text) {
  return "\\&" + Replace(Replace(text, "\\", "\\e"), "-", "\\-");
}

std::string RoffTag(const Arg& arg) {
  std::vector<std::string> names;
  for (const std::string& name : arg.names) names.push_back("\\fB" + Roff(name) + "\\fR");
  std::string tag =
      arg.names.empty() ? "\\fI" + Roff(arg.positional) + "\\fR" : Join(names, ", ");
  if (!arg.names.empty() && !arg.type.empty()) {
    tag +=
        " \\fI" + Roff(arg.choices.empty() ? arg.type : Join(arg.choices, "|")) + "\\fR";
  }
  return tag;
}

std::string Usage(const Command& command) {
  std::string usage = "redqueen " + command.name;
  if (!command.options.empty()) usage += " [OPTIONS]";
  for (const Arg& positional : command.positionals) {
    const std::string word = positional.positional + (positional.repeatable ? "..." : "");
    usage += positional.required ? " " + word : " [" + word + "]";
  }
  return usage;
}

}  // namespace

std::string CompletionScript(const CLI::App& tree, const std::string& shell) {
  if (shell == "bash") return BashScript(tree);
  if (shell == "zsh") return ZshScript(tree);
  return "";
}

std::string ManPage(const CLI::App& tree, const std::string& version,
                    const std::string& summary, const std::string& description,
                    const std::vector<ManSection>& sections) {
  // Left-aligned: long option names would open wide gaps in justified text.
  std::string out =
      ".TH REDQUEEN 1 \"\" \"redqueen " + version + "\" \"User Commands\"\n.ad l\n";
  out += ".SH NAME\nredqueen \\- " + Roff(summary) + "\n";
  out += ".SH SYNOPSIS\n.B redqueen\n.I COMMAND\n.RI [ OPTIONS ]\n.RI [ ARGUMENTS ]\n";
  out += ".SH DESCRIPTION\n" + Roff(description) + "\n";
  out += ".SH COMMANDS\n";
  const std::vector<Command> commands = Commands(tree);
  for (size_t i = 0; i < commands.size(); ++i) {
    const Command& command = commands[i];
    out += ".SS \"" + Roff(Usage(command)) + "\"\n" + Roff(command.description) + "\n";
    auto names = [](const Command& c) {
      std::vector<std::string> all;
      for (const Arg& option : c.options)
        all.insert(all.end(), option.names.begin(), option.names.end());
      return all;
    };
    const auto same =
        std::find_if(commands.begin(), commands.begin() + i, [&](const Command& c) {
          return !command.options.empty() && names(c) == names(command);
        });
    if (same != commands.begin() + i) {
      out +=
          ".PP\nTakes the options of \\fB" + Roff("redqueen " + same->name) + "\\fR.\n";
      continue;
    }
    for (const std::vector<Arg>* args : {&command.positionals, &command.options}) {
      for (const Arg& arg : *args) {
        std::string text = arg.description;
        if (!arg.default_value.empty()) text += " (default: " + arg.default_value + ")";
        out += ".TP\n" + RoffTag(arg) + "\n" + Roff(text) + "\n";
      }
    }
    // After the options, as in --help: it may speak of "the flags above".
    if (!command.footer.empty()) out += ".PP\n" + Roff(command.footer) + "\n";
  }
  for (const ManSection& section : sections) {
    out += ".SH \"" + Roff(section.title) + "\"\n";
    if (!section.text.empty()) out += Roff(section.text) + "\n";
    for (const auto& [tag, text] : section.items) {
      out += ".TP\n.B " + Roff(tag) + "\n" + Roff(text) + "\n";
    }
  }
  return out;
}

}  // namespace redqueen::queen
