# Registry client parsers (included from tests/fuzz/CMakeLists.txt).
add_executable(registry_parsers_fuzzer ${CMAKE_CURRENT_SOURCE_DIR}/registry_parsers_fuzzer.cpp
  ${PROJECT_SOURCE_DIR}/oci/registry/challenge.cpp ${PROJECT_SOURCE_DIR}/oci/registry/retry.cpp
  ${PROJECT_SOURCE_DIR}/oci/registry/credentials.cpp ${PROJECT_SOURCE_DIR}/util/http.cpp
  ${PROJECT_SOURCE_DIR}/util/strings.cpp ${PROJECT_SOURCE_DIR}/util/fs.cpp)
target_include_directories(registry_parsers_fuzzer PRIVATE ${PROJECT_SOURCE_DIR})
target_compile_options(registry_parsers_fuzzer PRIVATE -fsanitize=fuzzer,address,undefined -g -O1)
target_link_options(registry_parsers_fuzzer PRIVATE -fsanitize=fuzzer,address,undefined)
target_link_libraries(registry_parsers_fuzzer PRIVATE tl::expected nlohmann_json::nlohmann_json)

xbuild_fuzz_smoke(registry_parsers registry_parsers_fuzzer 50000 2048 ${CMAKE_CURRENT_SOURCE_DIR}/registry_corpus)
