#include "tests/testing/charsets.h"

#include <unicode/ucnv.h>

#include "gtest/gtest.h"

namespace neardup::testing {

std::string EncodeAs(const std::string& text, const char* charset) {
  UErrorCode error = U_ZERO_ERROR;
  UConverter* to = ucnv_open(charset, &error);
  UConverter* from = ucnv_open("UTF-8", &error);
  // Stop at unrepresentable characters instead of substituting '?'.
  ucnv_setFromUCallBack(to, UCNV_FROM_U_CALLBACK_STOP, nullptr, nullptr,
                        nullptr, &error);
  std::string out(text.size() * 4 + 16, '\0');
  char* target = out.data();
  const char* source = text.data();
  ucnv_convertEx(to, from, &target, out.data() + out.size(), &source,
                 text.data() + text.size(), nullptr, nullptr, nullptr, nullptr,
                 true, true, &error);
  ucnv_close(to);
  ucnv_close(from);
  EXPECT_TRUE(U_SUCCESS(error))
      << "cannot encode in " << charset << ": " << u_errorName(error);
  out.resize(static_cast<size_t>(target - out.data()));
  return out;
}

}  // namespace neardup::testing
