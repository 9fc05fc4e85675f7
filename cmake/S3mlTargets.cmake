# Helpers that keep each layer's CMakeLists.txt to a few lines.

# s3ml_library(NAME SOURCES ... [DEPS ...]): a static library s3ml_NAME whose headers are
# included as "layer/file.h" from the repository root.
function(s3ml_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(s3ml_${name} STATIC ${ARG_SOURCES})
  target_include_directories(s3ml_${name} PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
  target_link_libraries(s3ml_${name} PUBLIC ${ARG_DEPS})
endfunction()

# s3ml_test(NAME SOURCES ... [DEPS ...] [LABELS ...]): a GoogleTest binary registered with CTest.
# Tests labelled "slow" (soak, fuzz, stress) are skipped by `make test`; `make test-all` runs them.
function(s3ml_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  target_compile_definitions(${name} PRIVATE S3ML_TESTDATA_DIR="${S3ML_TESTDATA_DIR}"
                             S3ML_BINARY_DIR="${PROJECT_BINARY_DIR}")
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests)
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60
                       PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT})
endfunction()
