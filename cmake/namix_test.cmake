# namix_add_test(NAME <name> SOURCES <files...> LIBS <targets...> LABELS <unit|integration|slow>)
# Tests live beside the code they test (`name_test.cc`); each becomes one
# GoogleTest binary whose cases ctest discovers and labels.
if(NAMIX_BUILD_TESTS)
  enable_testing()
  find_package(GTest REQUIRED)
  include(GoogleTest)
endif()

function(namix_add_test)
  if(NOT NAMIX_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(T "" "NAME" "SOURCES;LIBS;LABELS" ${ARGN})
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main namix_warnings)
  gtest_discover_tests(${T_NAME}
    PROPERTIES LABELS "${T_LABELS}"
    WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}
    DISCOVERY_TIMEOUT 60)
endfunction()
