#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "queen/bench/fingerprint.h"

namespace redqueen::queen::bench {
namespace {

namespace fs = std::filesystem;
using testing::AllOf;
using testing::ElementsAre;
using testing::HasSubstr;
using testing::IsEmpty;

/// Two logical CPUs, each a core of its own, of one package.
constexpr const char* kCpuInfo =
    "processor\t: 0\nvendor_id\t: Fake\nmodel name\t: Fake CPU @ 3.00GHz\n"
    "physical id\t: 0\ncore id\t\t: 0\nflags\t\t: fpu sse sse2 avx\n\n"
    "processor\t: 1\nvendor_id\t: Fake\nmodel name\t: Fake CPU @ 3.00GHz\n"
    "physical id\t: 0\ncore id\t\t: 1\nflags\t\t: fpu sse sse2 avx\n\n";

/// A fake /proc and /sys under a temporary directory.
class FingerprintTest : public testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(testing::TempDir()) /
            ("bench_fingerprint_test_" + std::to_string(getpid()) + "_" +
             testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  void Write(const std::string& path, const std::string& text) {
    const fs::path file = root_ / path;
    fs::create_directories(file.parent_path());
    std::ofstream(file) << text;
  }

  /// The machine the tests start from: a laptop in its default setup.
  void WriteLaptop() {
    Write("proc/cpuinfo", kCpuInfo);
    Write("sys/devices/system/cpu/online", "0-1\n");
    Write("sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", "powersave\n");
    Write("sys/devices/system/cpu/cpufreq/boost", "1\n");
    Write("proc/sys/kernel/osrelease", "6.1.0-fake\n");
    Write("proc/sys/kernel/randomize_va_space", "2\n");
    Write("proc/loadavg", "0.05 0.10 0.20 1/100 1234\n");
  }

  Fingerprint Read() { return ReadFingerprint(root_.string()); }

  fs::path root_;
};

TEST_F(FingerprintTest, ReadsAFakeTree) {
  WriteLaptop();
  const Fingerprint f = Read();
  EXPECT_EQ(f.cpu_model, "Fake CPU @ 3.00GHz");
  EXPECT_EQ(f.cpu_flags.size(), 16u);
  EXPECT_EQ(f.cpu_flags.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(f.logical_cpus, 2);
  EXPECT_EQ(f.physical_cores, 2);
  EXPECT_FALSE(f.smt);
  EXPECT_EQ(f.governor, "powersave");
  EXPECT_EQ(f.boost, "on");
  EXPECT_EQ(f.kernel, "6.1.0-fake");
  EXPECT_EQ(f.aslr, 2);
  EXPECT_DOUBLE_EQ(f.load_average, 0.05);
  EXPECT_EQ(f.compiler, "");
  EXPECT_EQ(f.build_type, "");
}

TEST_F(FingerprintTest, TheFlagsDigestIsOfTheWords) {
  WriteLaptop();
  const std::string digest = Read().cpu_flags;
  std::string respaced = kCpuInfo;
  respaced.replace(respaced.find("fpu sse"), 7, "fpu   sse");
  Write("proc/cpuinfo", respaced);
  EXPECT_EQ(Read().cpu_flags, digest);
  std::string other = kCpuInfo;
  other.replace(other.find(" avx\n"), 5, " avx2\n");
  Write("proc/cpuinfo", other);
  EXPECT_NE(Read().cpu_flags, digest);
}

TEST_F(FingerprintTest, TwoThreadsOfOneCoreAreSmt) {
  std::string info = kCpuInfo;
  info[info.rfind("core id\t\t: 1") + 11] = '0';
  Write("proc/cpuinfo", info);
  const Fingerprint f = Read();
  EXPECT_EQ(f.logical_cpus, 2);  // No online list: cpuinfo's processors.
  EXPECT_EQ(f.physical_cores, 1);
  EXPECT_TRUE(f.smt);
  // The kernel's word, where it gives one, beats the count.
  Write("sys/devices/system/cpu/smt/active", "0\n");
  EXPECT_FALSE(Read().smt);
}

// ARM's cpuinfo has neither "model name" nor core ids: sysfs has the topology.
TEST_F(FingerprintTest, CoresFromSysfsTopology) {
  Write("proc/cpuinfo",
        "processor\t: 0\nFeatures\t: fp asimd\n\nprocessor\t: 1\n"
        "Features\t: fp asimd\n\nprocessor\t: 2\nFeatures\t: fp asimd\n");
  Write("sys/devices/system/cpu/online", "0,2-3\n");
  for (const auto& [cpu, core] : {std::pair{0, "0"}, {2, "1"}, {3, "1"}}) {
    const std::string dir =
        "sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/topology/";
    Write(dir + "core_id", std::string(core) + "\n");
    Write(dir + "physical_package_id", "0\n");
  }
  const Fingerprint f = Read();
  EXPECT_EQ(f.cpu_model, "");
  EXPECT_FALSE(f.cpu_flags.empty());
  EXPECT_EQ(f.logical_cpus, 3);
  EXPECT_EQ(f.physical_cores, 2);
  EXPECT_TRUE(f.smt);
}

TEST_F(FingerprintTest, BoostFromIntelPstate) {
  Write("sys/devices/system/cpu/intel_pstate/no_turbo", "0\n");
  EXPECT_EQ(Read().boost, "on");
  Write("sys/devices/system/cpu/intel_pstate/no_turbo", "1\n");
  EXPECT_EQ(Read().boost, "off");
  Write("sys/devices/system/cpu/cpufreq/boost", "1\n");  // cpufreq's knob first.
  EXPECT_EQ(Read().boost, "on");
}

TEST_F(FingerprintTest, AnEmptyTreeGivesTheDefaults) {
  fs::create_directories(root_);
  const Fingerprint f = Read();
  EXPECT_EQ(f.cpu_model, "");
  EXPECT_EQ(f.cpu_flags, "");
  EXPECT_EQ(f.logical_cpus, 0);
  EXPECT_EQ(f.physical_cores, 0);
  EXPECT_FALSE(f.smt);
  EXPECT_EQ(f.governor, "");
  EXPECT_EQ(f.boost, "");
  EXPECT_EQ(f.kernel, "");
  EXPECT_EQ(f.aslr, -1);
  EXPECT_EQ(f.load_average, 0);
}

TEST_F(FingerprintTest, ReadsThisMachine) {
  const Fingerprint f = ReadFingerprint();
  EXPECT_GT(f.logical_cpus, 0);
  EXPECT_FALSE(f.kernel.empty());
  EXPECT_GE(f.load_average, 0);
}

TEST_F(FingerprintTest, WarnsOfTheGovernorAndBoost) {
  WriteLaptop();
  EXPECT_THAT(Warnings(Read()),
              ElementsAre(AllOf(HasSubstr("'powersave'"),
                                HasSubstr("sudo cpupower frequency-set -g performance")),
                          AllOf(HasSubstr("boost is on"), HasSubstr("cpufreq/boost"))));
}

TEST_F(FingerprintTest, AQuietMachineHasNoWarnings) {
  Fingerprint f;
  f.logical_cpus = 2;
  f.governor = "performance";
  f.boost = "off";
  f.aslr = 2;  // ASLR moves code between runs, but it is how programs run.
  f.load_average = 0.4;
  EXPECT_THAT(Warnings(f), IsEmpty());
  f.governor = "";  // No cpufreq (a VM): nothing to fix.
  f.boost = "";
  EXPECT_THAT(Warnings(f), IsEmpty());
}

TEST_F(FingerprintTest, WarnsOfABusyMachine) {
  Fingerprint f;
  f.logical_cpus = 2;
  f.load_average = 1.33;
  EXPECT_THAT(Warnings(f), ElementsAre(AllOf(HasSubstr("load average is 1.33 on 2 CPUs"),
                                             HasSubstr("idle"))));
  f.logical_cpus = 64;  // A tenth of the machine is 6.4.
  f.load_average = 3;
  EXPECT_THAT(Warnings(f), IsEmpty());
  f.load_average = 7;
  EXPECT_THAT(Warnings(f), testing::SizeIs(1));
}

Fingerprint Machine() {
  Fingerprint f;
  f.cpu_model = "Fake CPU";
  f.cpu_flags = "0123456789abcdef";
  f.logical_cpus = 8;
  f.physical_cores = 4;
  f.smt = true;
  f.governor = "performance";
  f.boost = "off";
  f.kernel = "6.1.0";
  f.aslr = 2;
  f.load_average = 0.1;
  f.compiler = "gcc 12";
  f.build_type = "release";
  return f;
}

TEST_F(FingerprintTest, TheMachineKeyLeavesOutConditionsAndBuilds) {
  Fingerprint other = Machine();
  other.aslr = 0;
  other.load_average = 3;
  other.compiler = "clang 16";
  other.build_type = "debug";
  EXPECT_EQ(MachineKey(other), MachineKey(Machine()));
  EXPECT_EQ(DescribeDifference(other, Machine()), "");
}

TEST_F(FingerprintTest, TheMachineKeyHoldsEachMachineField) {
  const std::vector<void (*)(Fingerprint*)> changes = {
      [](Fingerprint* f) { f->cpu_model = "Other"; },
      [](Fingerprint* f) { f->cpu_flags = "fedcba9876543210"; },
      [](Fingerprint* f) { f->logical_cpus = 4; },
      [](Fingerprint* f) { f->physical_cores = 8; },
      [](Fingerprint* f) { f->smt = false; },
      [](Fingerprint* f) { f->governor = "powersave"; },
      [](Fingerprint* f) { f->boost = "on"; },
      [](Fingerprint* f) { f->kernel = "6.2.0"; }};
  for (size_t i = 0; i < changes.size(); ++i) {
    Fingerprint other = Machine();
    changes[i](&other);
    EXPECT_NE(MachineKey(other), MachineKey(Machine())) << i;
    EXPECT_NE(DescribeDifference(Machine(), other), "") << i;
  }
  // Fields are kept apart: no value can pass for two.
  Fingerprint a = Machine();
  Fingerprint b = Machine();
  a.cpu_model = "X\",\"Y";
  b.cpu_model = "X";
  b.cpu_flags = "Y";
  EXPECT_NE(MachineKey(a), MachineKey(b));
}

TEST_F(FingerprintTest, DescribesTheFirstDifference) {
  Fingerprint other = Machine();
  other.cpu_model = "Other CPU";
  other.logical_cpus = 4;
  EXPECT_EQ(DescribeDifference(Machine(), other), "cpu_model 'Fake CPU' vs 'Other CPU'");
  other.cpu_model = "Fake CPU";
  EXPECT_EQ(DescribeDifference(Machine(), other), "logical_cpus 8 vs 4");
  other.logical_cpus = 8;
  other.smt = false;
  EXPECT_EQ(DescribeDifference(Machine(), other), "smt on vs off");
}

TEST_F(FingerprintTest, JsonRoundTrip) {
  const Fingerprint f = Machine();
  const nlohmann::json json = FingerprintJson(f);
  EXPECT_EQ(json["cpu_model"], "Fake CPU");
  EXPECT_EQ(json["logical_cpus"], 8);
  EXPECT_EQ(json["load_average"], 0.1);
  EXPECT_EQ(json.size(), 12u);
  const Fingerprint back = FingerprintFromJson(nlohmann::json::parse(json.dump()));
  EXPECT_EQ(FingerprintJson(back), json);
}

TEST_F(FingerprintTest, FromJsonIsLenient) {
  const Fingerprint empty = FingerprintFromJson(nlohmann::json::object());
  EXPECT_EQ(FingerprintJson(empty), FingerprintJson(Fingerprint{}));
  EXPECT_EQ(FingerprintJson(FingerprintFromJson(nlohmann::json::array())),
            FingerprintJson(Fingerprint{}));
  const Fingerprint odd = FingerprintFromJson(nlohmann::json::parse(
      R"({"cpu_model": 3, "logical_cpus": "8", "smt": 1, "aslr": 2,
          "kernel": "6.1", "from_the_future": {"x": 1}})"));
  EXPECT_EQ(odd.cpu_model, "");
  EXPECT_EQ(odd.logical_cpus, 0);
  EXPECT_FALSE(odd.smt);
  EXPECT_EQ(odd.aslr, 2);
  EXPECT_EQ(odd.kernel, "6.1");
}

}  // namespace
}  // namespace redqueen::queen::bench
