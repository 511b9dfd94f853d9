#include "knight/memory.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace redqueen::knight {
namespace {

TEST(MemoryTest, UsedIsTotalLessAvailable) {
  const std::string meminfo =
      "MemTotal:       1000 kB\nMemFree:         100 kB\nMemAvailable:    250 kB\n";
  EXPECT_DOUBLE_EQ(*UsedPercent(meminfo), 75.0);
  EXPECT_FALSE(UsedPercent("MemTotal: 1000 kB\n")) << "a kernel without MemAvailable";
  EXPECT_FALSE(UsedPercent(""));
  const auto machine = MachineMemoryUsedPercent();
  ASSERT_TRUE(machine);
  EXPECT_GT(*machine, 0.0);
  EXPECT_LT(*machine, 100.0);
}

TEST(MemoryTest, AGroupsResidentBytesCountItsProcesses) {
  const uint64_t ours = GroupResidentBytes(getpgrp());
  EXPECT_GT(ours, 1u << 20) << "this test process alone holds more than 1 MiB";
  EXPECT_EQ(GroupResidentBytes(999'999'999), 0u);
}

}  // namespace
}  // namespace redqueen::knight
