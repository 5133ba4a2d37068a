// The Catch2 runner for every unit test. Tests that touch disk use
// util::TempDir, which removes the directory unless the test failed.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <string>
#include <vector>

// ctest runs each discovered test as `exe "<test name>"`, and Catch's command
// line parser takes any argument that starts with '-' for an option, so a
// test named "--call=check prints …" would never run. Options never contain
// spaces, so such an argument is a test name: it becomes the wildcard
// "*-call=check prints …", which matches that test alone.
int main(int argc, char* argv[]) {
  std::vector<std::string> storage(argv, argv + argc);
  std::vector<char*> args;
  for (std::string& arg : storage) {
    if (arg.size() > 1 && arg[0] == '-' && arg.find(' ') != std::string::npos)
      arg = "*" + arg.substr(1);
    args.push_back(arg.data());
  }
  return Catch::Session().run(static_cast<int>(args.size()), args.data());
}
