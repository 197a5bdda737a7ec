# Every namix target links namix_warnings; third-party headers come from
# /usr/include and are system headers, so their warnings stay out.
add_library(namix_warnings INTERFACE)
target_compile_options(namix_warnings INTERFACE -Wall -Wextra -Wpedantic -Wconversion -Wshadow)
# clang's -Wconversion also means -Wsign-conversion, which gcc's does not.
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  target_compile_options(namix_warnings INTERFACE -Wno-sign-conversion)
endif()
if(NAMIX_WERROR)
  target_compile_options(namix_warnings INTERFACE -Werror)
endif()

if(NAMIX_SANITIZE)
  string(REPLACE ";" "," _namix_san "${NAMIX_SANITIZE}")
  add_compile_options(-fsanitize=${_namix_san} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${_namix_san})
endif()

# The fuzz build: every library gets libFuzzer's coverage instrumentation
# (the harnesses link the fuzzer runtime itself, fuzz/CMakeLists.txt), with
# the sanitizers of NAMIX_SANITIZE.
if(NAMIX_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "NAMIX_FUZZ needs clang: -DCMAKE_CXX_COMPILER=clang++ (see make fuzz)")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
  enable_testing()
endif()
