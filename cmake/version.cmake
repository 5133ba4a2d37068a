# The version and git commit are baked into a generated source file so that
# `docker xbuild version` can name exactly what was built.
find_package(Git QUIET)
set(XBUILD_GIT_COMMIT "unknown")
if(GIT_FOUND)
  execute_process(COMMAND ${GIT_EXECUTABLE} rev-parse --short=12 HEAD
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR} OUTPUT_VARIABLE _commit
    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE _rc)
  if(_rc EQUAL 0 AND _commit)
    set(XBUILD_GIT_COMMIT ${_commit})
  endif()
endif()
set(XBUILD_VERSION_CPP ${PROJECT_BINARY_DIR}/generated/version_info.cpp)
configure_file(${PROJECT_SOURCE_DIR}/cmake/version_info.cpp.in ${XBUILD_VERSION_CPP} @ONLY)
