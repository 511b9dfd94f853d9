// JUnit XML as CI systems read it (Maven Surefire's flavour, which Jenkins,
// GitLab and GitHub's test reporters take): a run's results from the store.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "bishop/store.h"

namespace redqueen::queen {

/// `text` as XML character data, or as an attribute value when `attribute`
/// (newlines and tabs then kept as character references). Bytes XML 1.0
/// cannot hold, control characters and invalid UTF-8 alike, become "\xNN".
std::string XmlEscape(std::string_view text, bool attribute);

/// The report of one run: a <testsuite> per binary (and target) and test
/// suite, a <testcase> per test and repetition. A FLAKY test passes with a
/// <flakyFailure>/<flakyError> per failed attempt; a test that failed every
/// attempt has its <failure>/<error> and a <rerunFailure>/<rerunError> per
/// earlier attempt. CRASHED and TIMEOUT are errors, FAILED a failure.
std::string JunitXml(const std::vector<bishop::RunExecution>& executions);

}  // namespace redqueen::queen
