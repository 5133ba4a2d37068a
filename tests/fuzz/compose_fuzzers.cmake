# The compose front end of bake (bakefile/compose*.cpp) with what it links:
# the bake model, the HCL value layer it converts through, and yaml-cpp.
file(GLOB compose_sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/bakefile/compose*.cpp
  ${PROJECT_SOURCE_DIR}/bakefile/hcl/*.cpp ${PROJECT_SOURCE_DIR}/bakefile/model/*.cpp)
add_executable(compose_fuzzer compose_fuzzer.cpp ${compose_sources}
  ${PROJECT_SOURCE_DIR}/util/strings.cpp ${PROJECT_SOURCE_DIR}/util/fs.cpp)
target_include_directories(compose_fuzzer PRIVATE ${PROJECT_SOURCE_DIR})
target_compile_options(compose_fuzzer PRIVATE -fsanitize=fuzzer,address,undefined -g -O1)
target_link_options(compose_fuzzer PRIVATE -fsanitize=fuzzer,address,undefined)
target_link_libraries(compose_fuzzer PRIVATE yaml-cpp crypt tl::expected
  nlohmann_json::nlohmann_json OpenSSL::Crypto)

xbuild_fuzz_smoke(compose compose_fuzzer 20000 4096 ${CMAKE_CURRENT_SOURCE_DIR}/compose_corpus)
