#include "service/common/logging.h"

#include <string>

#include "gtest/gtest.h"

namespace neardup {
namespace {

TEST(LoggingTest, ControlCharactersAreEscapedSoALineCannotBeForged) {
  std::string out;
  AppendEscapedForLog("Add of id\nI 2026-12-04T00:00:00.000Z main.cc:1] ok",
                      &out);
  EXPECT_EQ(out, "Add of id\\nI 2026-12-04T00:00:00.000Z main.cc:1] ok");
  out.clear();
  AppendEscapedForLog(std::string("a\rb\tc\x1b[31md\x7f\0e", 14), &out);
  EXPECT_EQ(out, "a\\rb\\tc\\x1b[31md\\x7f\\x00e");
  out.clear();
  AppendEscapedForLog("页面 ünïcode stays", &out);
  EXPECT_EQ(out, "页面 ünïcode stays");
}

}  // namespace
}  // namespace neardup
