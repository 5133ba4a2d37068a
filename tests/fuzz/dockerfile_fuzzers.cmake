# Dockerfile front-end fuzzers (included from tests/fuzz/CMakeLists.txt).
# They compile engine/dockerfile directly, like the HCL fuzzer does.

file(GLOB dockerfile_sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/engine/dockerfile/*.cpp)
foreach(name dockerfile_parser dockerfile_expand)
  add_executable(${name}_fuzzer ${CMAKE_CURRENT_LIST_DIR}/${name}_fuzzer.cpp ${dockerfile_sources}
    ${PROJECT_SOURCE_DIR}/util/strings.cpp ${PROJECT_SOURCE_DIR}/util/fs.cpp)
  target_include_directories(${name}_fuzzer PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_options(${name}_fuzzer PRIVATE -fsanitize=fuzzer,address,undefined -g -O1)
  target_link_options(${name}_fuzzer PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(${name}_fuzzer PRIVATE tl::expected nlohmann_json::nlohmann_json
    OpenSSL::Crypto)
  xbuild_fuzz_smoke(${name} ${name}_fuzzer 20000 4096 ${CMAKE_CURRENT_LIST_DIR}/${name}_corpus)
endforeach()
