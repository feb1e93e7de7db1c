// Anchors the neardup_testing library; the matchers are header-only.
#include "tests/testing/status_matchers.h"
