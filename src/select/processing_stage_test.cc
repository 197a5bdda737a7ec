#include "select/processing_stage.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace namix {
namespace {

constexpr StageType kAllTypes[] = {
    StageType::hpf,        StageType::lpf,        StageType::peaking, StageType::low_shelf,
    StageType::high_shelf, StageType::compressor, StageType::reverb,  StageType::drive,
    StageType::dehum,      StageType::leveller,
};

TEST(StageTable, EveryTypeHasOneSpecWithDistinctKeysAndLegalDefaults) {
  EXPECT_EQ(stage_specs().size(), std::size(kAllTypes));
  std::set<std::string> names;
  for (StageType type : kAllTypes) {
    const StageSpec& spec = stage_spec(type);
    SCOPED_TRACE(spec.name);
    EXPECT_EQ(spec.type, type);
    EXPECT_TRUE(names.insert(spec.name).second);
    EXPECT_EQ(find_stage_spec(spec.name), &spec);
    EXPECT_FALSE(spec.params.empty());
    std::set<std::string> keys;
    for (const auto& p : spec.params) {
      SCOPED_TRACE(p.key);
      EXPECT_TRUE(keys.insert(p.key).second);
      EXPECT_EQ(spec.find(p.param), &p);
      EXPECT_EQ(spec.find(p.key), &p);
      EXPECT_LT(p.min, p.max);
      if (!p.required) {
        EXPECT_GE(p.default_value, p.min);
        EXPECT_LE(p.default_value, p.max);
        if (p.use == ParamUse::count) {
          EXPECT_EQ(std::floor(p.default_value), p.default_value);
        }
      }
    }
  }
  EXPECT_EQ(find_stage_spec("flanger"), nullptr);
}

TEST(StageTable, ValueIsWhatTheFileSetElseTheDeclaredDefault) {
  ProcessingStage comp;
  comp.type = StageType::compressor;
  comp.values[StageParam::threshold_db] = -20.0;
  EXPECT_EQ(comp.value(StageParam::threshold_db), -20.0);
  EXPECT_EQ(comp.value(StageParam::attack_ms),
            stage_spec(StageType::compressor).find(StageParam::attack_ms)->default_value);
  ProcessingStage hpf;
  hpf.type = StageType::hpf;
  // Butterworth: 1/sqrt(2).
  EXPECT_DOUBLE_EQ(hpf.value(StageParam::q), 1.0 / std::sqrt(2.0));
  EXPECT_EQ(hpf.value(StageParam::order), 1.0);
  EXPECT_STREQ(hpf.name(), "hpf");
}

// themes/README.md documents the table: each stage type's row names every
// parameter, the required ones in bold and only those, the others with their
// default, "attack_ms (10".
TEST(StageTable, ThemesReadmeDocumentsEveryStageAndParameter) {
  std::ifstream in(std::string(NAMIX_SHIPPED_THEMES_DIR) + "/README.md");
  ASSERT_TRUE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  std::istringstream lines(text.str());
  std::vector<std::string> rows;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("| `", 0) == 0) rows.push_back(line);
  }
  for (const auto& spec : stage_specs()) {
    SCOPED_TRACE(spec.name);
    const std::string tag = "`" + std::string(spec.name) + "`";
    const std::string* row = nullptr;
    for (const auto& r : rows) {
      std::string head = r.substr(0, r.find('|', 1));
      if (head.find(tag) != std::string::npos) row = &r;
    }
    ASSERT_NE(row, nullptr) << "no row for " << tag;
    std::string documented = row->substr(row->find('|', 1));
    for (const auto& p : spec.params) {
      const std::string bold = "**" + std::string(p.key) + "**";
      if (p.required) {
        EXPECT_NE(documented.find(bold), std::string::npos) << p.key << " should be in bold";
      } else {
        EXPECT_EQ(documented.find(bold), std::string::npos) << p.key << " is optional";
        char with_default[64];
        std::snprintf(with_default, sizeof with_default, "%s (%.3g", p.key, p.default_value);
        EXPECT_NE(documented.find(with_default), std::string::npos)
            << p.key << " is not documented as " << with_default;
      }
    }
  }
}

}  // namespace
}  // namespace namix
