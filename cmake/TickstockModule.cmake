# tickstock_module(NAME DEPS ...)
#   One static library per folder under src/: every *.cpp except *_test.cpp.
#   Unit tests beside the code (*_test.cpp) become one executable per module,
#   ts_<name>_test, registered with CTest test by test. TEST_PROPERTIES are
#   extra CTest properties of those tests (e.g. the PgServer fixture).
function(tickstock_module name)
  cmake_parse_arguments(M "" "" "DEPS;TEST_DEPS;TEST_PROPERTIES" ${ARGN})
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  list(FILTER srcs EXCLUDE REGEX "_test\\.cpp$")
  add_library(ts_${name} STATIC ${srcs})
  target_include_directories(ts_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(ts_${name} PUBLIC ${M_DEPS} ts_build_flags)
  if(TICKSTOCK_BUILD_TESTS)
    file(GLOB_RECURSE tests CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*_test.cpp)
    if(tests)
      add_executable(ts_${name}_test ${tests})
      target_link_libraries(ts_${name}_test PRIVATE ts_${name} ${M_TEST_DEPS} GTest::gtest_main)
      target_compile_definitions(ts_${name}_test PRIVATE TICKSTOCK_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
      gtest_discover_tests(ts_${name}_test DISCOVERY_MODE PRE_TEST
        WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR} PROPERTIES LABELS unit ${M_TEST_PROPERTIES})
    endif()
  endif()
endfunction()
