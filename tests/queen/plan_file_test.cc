#include "queen/plan_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace redqueen::queen {
namespace {

PlanFile APlan() {
  PlanFile plan;
  plan.shards = 3;
  plan.history_digest = "9f3a";
  plan.imbalance = 1.25;
  plan.expected_us = {1'000'000, 800'000, 1'200'000};
  plan.tests = {{"test/a", "", "S.one", 0, 500'000},
                {"test/a", "", "S.two", 2, 1'200'000},
                {"test/a", "gpu", "S.one", 1, 800'000},
                {"test/b", "", "T.x", 0, 500'000}};
  plan.without_history = {{"test/c", ""}};
  plan.list_hashes = {{"test/a\n", 0x1f2e3d4c5b6a7988ULL}, {"test/b\n", 7}};
  plan.jobs = {4, 2, 2};
  return plan;
}

TEST(PlanFileTest, WhatIsWrittenIsReadBack) {
  const std::string text = PlanJson(APlan());
  EXPECT_THAT(text, testing::HasSubstr("\"shard\": 3")) << "shards count from 1";
  PlanFile read;
  std::string error;
  ASSERT_TRUE(ParsePlan(text, &read, &error)) << error;
  EXPECT_EQ(read.shards, 3u);
  EXPECT_EQ(read.history_digest, "9f3a");
  EXPECT_DOUBLE_EQ(read.imbalance, 1.25);
  EXPECT_EQ(read.expected_us, APlan().expected_us);
  ASSERT_EQ(read.tests.size(), 4u);
  for (size_t i = 0; i < read.tests.size(); ++i) {
    EXPECT_EQ(read.tests[i].binary, APlan().tests[i].binary);
    EXPECT_EQ(read.tests[i].target, APlan().tests[i].target);
    EXPECT_EQ(read.tests[i].name, APlan().tests[i].name);
    EXPECT_EQ(read.tests[i].shard, APlan().tests[i].shard);
    EXPECT_EQ(read.tests[i].estimate_us, APlan().tests[i].estimate_us);
  }
  EXPECT_EQ(read.without_history, APlan().without_history);
  EXPECT_EQ(read.list_hashes, APlan().list_hashes);
  EXPECT_EQ(read.jobs, APlan().jobs);
  EXPECT_THAT(text, testing::HasSubstr("\"list_hash\": \"1f2e3d4c5b6a7988\""));
}

TEST(PlanFileTest, AnythingElseIsRefusedWithWhatIsWrong) {
  const std::string good = PlanJson(APlan());
  auto refused = [](const std::string& text) {
    PlanFile plan;
    std::string error;
    EXPECT_FALSE(ParsePlan(text, &plan, &error)) << text;
    return error;
  };
  EXPECT_THAT(refused("not json"), testing::HasSubstr("is not a plan redqueen can read"));
  EXPECT_THAT(refused("[1, 2]"), testing::HasSubstr("is not a plan of this redqueen"));
  EXPECT_THAT(refused("{\"format\": \"redqueen-plan-2\"}"),
              testing::HasSubstr("is not a plan of this redqueen"));
  std::string past_the_last = good;
  past_the_last.replace(past_the_last.find("\"shard\": 3"), 10, "\"shard\": 4");
  EXPECT_THAT(refused(past_the_last), testing::HasSubstr("planned for shard 4 of 3"));
  std::string zero = good;
  zero.replace(zero.find("\"shard\": 1"), 10, "\"shard\": 0");
  EXPECT_THAT(refused(zero), testing::HasSubstr("planned for shard 0 of 3"));
  std::string negative = good;
  negative.replace(negative.find("\"estimate_s\": 0.5"), 17, "\"estimate_s\": -1");
  EXPECT_THAT(refused(negative), testing::HasSubstr("out of range"));
  std::string no_shards = good;
  no_shards.replace(no_shards.find("\"shards\": 3"), 11, "\"shards\": 0");
  EXPECT_THAT(refused(no_shards), testing::HasSubstr("shards out of range"));
}

}  // namespace
}  // namespace redqueen::queen
