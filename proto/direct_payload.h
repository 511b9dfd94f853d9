// The payloads that are written and read here directly rather than through
// cereal, in the very bytes cereal makes (the frame tests compare them):
// the ones a run of thousands of short tests sends most, a plain result per
// test and the list of them all, where cereal's stream calls per field cost
// more than the tests. Anything a direct reader refuses goes to cereal,
// which then says what is wrong with it.
#pragma once

#include <cstddef>
#include <string>

#include "proto/messages.h"

namespace redqueen::proto {

/// A result with no failure, skip message or crash.
bool IsPlain(const Result& result);
/// Appends a plain result's payload.
void PutPlainResult(const Result& result, std::string* out);
/// False when the payload is not a valid plain result's.
bool GetPlainResult(const char* payload, size_t size, Result* result);

/// Appends a test list's payload.
void PutTestList(const TestList& list, std::string* out);
/// False when the payload is not a valid test list's.
bool GetTestList(const char* payload, size_t size, TestList* list);

}  // namespace redqueen::proto
