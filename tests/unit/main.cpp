// The Catch2 runner for every unit test. Tests that touch disk use
// util::TempDir, which removes the directory unless the test failed.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
