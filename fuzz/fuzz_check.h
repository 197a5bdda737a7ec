// An invariant a harness checks on what the code under test returned: a
// violation is a crash libFuzzer records, like a sanitizer report.
#pragma once

#include <cstdio>
#include <cstdlib>

#define NAMIX_FUZZ_CHECK(condition)                                                           \
  do {                                                                                        \
    if (!(condition)) {                                                                       \
      std::fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                           \
    }                                                                                         \
  } while (false)
